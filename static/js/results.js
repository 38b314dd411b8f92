// Results page: places by chip time at a checkpoint, overall or in a gender or category,
// paged; follow an athlete from here onto the spectator page.
import { bindStatus, connectLive, raceElapsed, tickUpdated } from "./live.js";
import { duration, el } from "./format.js";
import { followedBibs, keepFollowed, onFollowedChange } from "./following.js";
import { throttled } from "./throttle.js";
import { chooseUnits } from "./units.js";

const slug = document.body.dataset.race;
const finish = document.body.dataset.finish;
const api = `/api/races/${encodeURIComponent(slug)}`;
const checkpointChoice = document.getElementById("checkpoint");
const genderChoice = document.getElementById("gender");
const categoryChoice = document.getElementById("category");
const rows = document.querySelector("#results tbody");
const standing = document.getElementById("standing");
const count = document.getElementById("count");
const csv = document.getElementById("csv");
const empty = document.getElementById("empty");
const previous = document.getElementById("previous");
const next = document.getElementById("next");
const pageOf = document.getElementById("page-of");
const clock = document.getElementById("race-clock");

// The filters and the page live in the address, so a reload or a shared link shows the same.
const given = new URLSearchParams(location.search);
const view = {
  checkpoint: given.get("checkpoint") || "", // "": the finish, else the furthest with results
  gender: given.get("gender") || "",
  category: given.get("category") || "",
  offset: Math.max(0, Number.parseInt(given.get("offset"), 10) || 0),
  limit: Math.min(500, Math.max(1, Number.parseInt(given.get("limit"), 10) || 50)),
};
let shown = null; // the last answer on screen
let state = null;

function remember() {
  const query = new URLSearchParams();
  for (const name of ["checkpoint", "gender", "category"]) if (view[name]) query.set(name, view[name]);
  if (view.offset) query.set("offset", view.offset);
  if (given.has("limit")) query.set("limit", view.limit);
  history.replaceState(null, "", `${location.pathname}${String(query) ? `?${query}` : ""}`);
}

function filterQuery(checkpoint) {
  const query = new URLSearchParams({ checkpoint });
  if (view.gender) query.set("gender", view.gender);
  if (view.category) query.set("category", view.category);
  return query;
}

async function page(checkpoint) {
  const query = filterQuery(checkpoint);
  query.set("offset", view.offset);
  query.set("limit", view.limit);
  const response = await fetch(`${api}/results?${query}`);
  if (!response.ok) throw new Error(`results: ${response.status}`);
  return response.json();
}

// Unchosen, the checkpoint is the finish, or the furthest one anyone has reached.
async function load() {
  if (view.checkpoint) return page(view.checkpoint);
  const codes = [...checkpointChoice.options].map((o) => o.value).reverse();
  let answer = null;
  for (const code of codes.length ? codes : [finish]) {
    answer = await page(code);
    if (answer.total) break;
  }
  return answer;
}

// One load at a time; the race moving asks again at most every REFRESH_EVERY_MS (the last ask
// always answered), a new filter or page at once. An answer overtaken by a newer ask is dropped.
const REFRESH_EVERY_MS = 2000;
let asked = 0;
let seenSeq = null;
const ask = throttled(() => {
  const ticket = ++asked;
  return load().then((answer) => { if (ticket === asked && answer) render(answer); });
}, REFRESH_EVERY_MS);

function refresh({ now = false } = {}) {
  if (now) asked += 1; // whatever is loading is already out of date
  ask({ now });
}

// Categories by the race's age groups (M40, FU18…), in the chosen gender, and any other
// category the results carry (one given on entry).
function fillCategories() {
  const bounds = [...((state && state.race.age_groups) || [])].sort((a, b) => a - b);
  const genders = view.gender ? [view.gender] : ["F", "M", "X"];
  const names = [];
  for (const g of genders) {
    if (bounds.length) names.push(`${g}U${bounds[0]}`);
    for (const bound of bounds) names.push(`${g}${bound}`);
  }
  for (const row of (shown && shown.results) || []) {
    if (row.category && !names.includes(row.category) && (!view.gender || row.gender === view.gender)) names.push(row.category);
  }
  if (view.category && !names.includes(view.category)) names.push(view.category);
  const have = [...categoryChoice.options].slice(1).map((o) => o.value);
  if (have.join() !== names.join()) {
    categoryChoice.replaceChildren(el("option", { attrs: { value: "" }, text: "All" }), ...names.map((name) => el("option", { attrs: { value: name }, text: name })));
  }
  categoryChoice.value = view.category;
}

function followButton(row) {
  const button = el("button", { className: "follow-button", attrs: { type: "button" } });
  const mark = () => {
    const on = followedBibs(slug).includes(row.bib);
    button.textContent = on ? "Following" : "Follow";
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.setAttribute("aria-label", `${on ? "Stop following" : "Follow"} ${row.name} (${row.bib})`);
  };
  button.addEventListener("click", () => {
    const bibs = followedBibs(slug);
    keepFollowed(slug, bibs.includes(row.bib) ? bibs.filter((b) => b !== row.bib) : [...bibs, row.bib]);
    mark();
  });
  mark();
  return button;
}

function render(answer) {
  shown = answer;
  checkpointChoice.value = answer.checkpoint;
  fillCategories();
  standing.dataset.official = answer.official ? "yes" : "no";
  standing.textContent = answer.official ? "Official" : "Unofficial";
  const first = answer.total ? answer.offset + 1 : 0;
  const last = answer.offset + answer.results.length;
  count.textContent = answer.total ? `${first}–${last} of ${answer.total} at ${answer.checkpoint}` : "";
  csv.href = `${api}/results.csv?${filterQuery(answer.checkpoint)}`;
  empty.hidden = answer.results.length > 0;
  rows.replaceChildren(
    ...answer.results.map((row) => {
      const link = el("a", { text: row.name, attrs: { href: `/races/${encodeURIComponent(slug)}/athletes/${encodeURIComponent(row.bib)}` } });
      const tr = el("tr", {}, [
        el("td", { className: "num place", text: String(row.place) }),
        el("td", {}, [el("span", { className: "bib", text: row.bib })]),
        el("td", { className: "name" }, [link, el("span", { className: "name-category", text: row.category || "" })]),
        el("td", { className: "category", text: row.category || "–" }),
        el("td", { className: "num chip-time", text: duration(row.net_elapsed_s) }),
        el("td", { className: "num gun-time", text: duration(row.elapsed_s) }),
        el("td", { className: "follow-col" }, [followButton(row)]),
      ]);
      tr.dataset.bib = row.bib;
      return tr;
    }),
  );
  const pages = Math.max(1, Math.ceil(answer.total / view.limit));
  pageOf.textContent = `Page ${Math.floor(answer.offset / view.limit) + 1} of ${pages}`;
  previous.disabled = answer.offset <= 0;
  next.disabled = answer.offset + view.limit >= answer.total;
}

function choose(change) {
  Object.assign(view, change);
  remember();
  refresh({ now: true });
}

checkpointChoice.addEventListener("change", () => choose({ checkpoint: checkpointChoice.value, offset: 0 }));
genderChoice.addEventListener("change", () => {
  // A category belongs to one gender: another gender drops it.
  const keep = view.category && view.category.startsWith(genderChoice.value);
  choose({ gender: genderChoice.value, category: keep ? view.category : "", offset: 0 });
});
categoryChoice.addEventListener("change", () => choose({ category: categoryChoice.value, offset: 0 }));
previous.addEventListener("click", () => choose({ offset: Math.max(0, view.offset - view.limit) }));
next.addEventListener("click", () => choose({ offset: view.offset + view.limit }));
// Another tab following or unfollowing: the buttons say so.
onFollowedChange(slug, () => shown && render(shown));

genderChoice.value = view.gender;
fillCategories();
refresh({ now: true });

const live = connectLive({
  race: slug,
  onState: (nextState) => {
    const first = state === null;
    state = nextState;
    if (first) fillCategories();
    // The race moved (a split, a status, the results published): read them again.
    if (state.seq !== seenSeq) {
      seenSeq = state.seq;
      refresh();
    }
  },
  onStatus: bindStatus(document.getElementById("status")),
});
tickUpdated(document.getElementById("updated"), live);
chooseUnits(() => {}); // no distances here; the chooser is kept for the other pages

setInterval(() => {
  if (!state) return;
  const elapsed = raceElapsed(state.race, live.serverNow());
  clock.textContent = elapsed == null ? "not started" : duration(Math.max(0, elapsed));
}, 250);
