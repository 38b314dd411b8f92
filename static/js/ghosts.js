// Ghosts: the reference run a page compares athletes with instead of the target line,
// chosen on the page and kept in this browser, one choice per race for every page.
import { duration, el, signedSeconds } from "./format.js";

const storageKey = (slug) => `ghost:${slug}`;

export function rememberedGhost(slug) {
  return localStorage.getItem(storageKey(slug)) || ""; // "" is the target line
}

export function rememberGhost(slug, key) {
  localStorage.setItem(storageKey(slug), key);
}

// The race's ghost under `key`, or null (the target line, or a ghost since removed).
export function findGhost(race, key) {
  return (race.ghosts || []).find((g) => g.key === key) || null;
}

// "Kipchoge, Vienna 2019 (1:59:40.2)": a ghost as a choice in a list.
export function ghostLabel(run) {
  return `${run.name} (${duration(run.finish_s, { tenths: run.finish_s % 1 !== 0 })})`;
}

// Fill a <select> with the target line and every ghost; rebuilt only when the ghosts
// change (an upload, a replacement, a removal), so an open list is not snatched away.
export function fillGhostChoice(select, race, chosen) {
  const options = [["", `the ${duration(race.target_s)} line`], ...(race.ghosts || []).map((g) => [g.key, ghostLabel(g)])];
  const signature = JSON.stringify(options);
  if (select.dataset.options !== signature) {
    select.replaceChildren(...options.map(([value, label]) => el("option", { attrs: { value }, text: label })));
    select.dataset.options = signature;
  }
  select.value = findGhost(race, chosen) ? chosen : "";
}

// Seconds behind the ghost at each measured checkpoint: [[code, seconds], …].
export function ghostGaps(athlete, run) {
  return run ? (athlete.ghost_gaps || {})[run.key] || [] : [];
}

// "5K +0:00.0 · 10K −0:01.0".
export function ghostGapsText(gaps) {
  return gaps.map(([code, s]) => `${code} ${signedSeconds(s)}`).join(" · ");
}
