// Whom a spectator follows in a race, kept in this browser: the spectator page shows them,
// the results page adds to them. One key per race, in one place.
const key = (slug) => `follow:${slug}`;

export function followedBibs(slug) {
  try {
    const kept = JSON.parse(localStorage.getItem(key(slug)) || "[]");
    return Array.isArray(kept) ? kept : [];
  } catch {
    return [];
  }
}

export function keepFollowed(slug, bibs) {
  try { localStorage.setItem(key(slug), JSON.stringify(bibs)); } catch { /* private mode: this page only */ }
}

// Another tab (the results page) following or unfollowing: `onChange(bibs)`.
export function onFollowedChange(slug, onChange) {
  window.addEventListener("storage", (event) => {
    if (event.key === key(slug)) onChange(followedBibs(slug));
  });
}
