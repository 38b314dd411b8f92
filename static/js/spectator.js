// Spectator page: race clock, followed athletes, projections, the target line, ETAs, pace chart.
import { athleteClock, bindStatus, connectLive, finishStanding, lineGap, pageClock, raceElapsed, tickUpdated } from "./live.js";
import { fillGhostChoice, findGhost, ghostGaps, ghostGapsText, rememberGhost, rememberedGhost } from "./ghosts.js";
import { distance, drift, duration, el, gap, inUnits, lineText, localNote, pace, percent, perUnit, perUnitSeconds, requiredPace, shownUnder, signedSeconds, tolerance, units, wallTime, zoneName } from "./format.js";
import { chooseUnits } from "./units.js";
import { followedBibs, keepFollowed, onFollowedChange } from "./following.js";

const body = document.body;
const slug = body.dataset.race;
const fixedBib = body.dataset.bib || null;
const cards = document.getElementById("cards");
const clock = document.getElementById("race-clock");
const picker = document.getElementById("follow-input");
const choices = document.getElementById("athlete-choices");
const followedList = document.getElementById("followed");
const followMessage = document.getElementById("follow-message");
const announcer = document.getElementById("announce");
const charts = new Map();
const shownAt = new Map(); // each athlete's marker on screen: it never moves backwards
let ghost = rememberedGhost(slug);

// Kilometres or miles: a new choice redraws every figure and chart in it.
chooseUnits(() => {
  for (const chart of charts.values()) chart.destroy();
  charts.clear();
  if (state) render(null);
});

let followed = fixedBib ? [fixedBib] : followedBibs(slug);
let state = null;

const live = connectLive({
  race: slug,
  athletes: followed,
  onState: (next, delta) => {
    state = next;
    if (!delta) forgetUnknown();
    render(delta);
    announce(delta);
  },
  onStatus: bindStatus(document.getElementById("status")),
});
tickUpdated(document.getElementById("updated"), live);

// Followed from the results page in another tab: the cards follow at once.
if (!fixedBib) {
  onFollowedChange(slug, (bibs) => {
    followed = bibs;
    live.follow(followed);
    renderFollowed();
  });
}

function saveFollowed() {
  if (!fixedBib) keepFollowed(slug, followed);
  live.follow(followed);
  renderFollowed();
}

// The whole field is searched on the server (bib or the start of any word of a name,
// accents ignored); the live state only carries the leaders and whom one follows.
let found = [];
let searching = null;
picker.addEventListener("input", () => {
  clearTimeout(searching);
  const query = picker.value.trim();
  if (!query) return;
  searching = setTimeout(async () => {
    const matches = await search(query);
    if (!matches || picker.value.trim() !== query) return;
    found = matches.athletes;
    choices.replaceChildren(...found.map((a) => el("option", { attrs: { value: a.bib }, text: `${a.name} (${a.bib}${a.category ? ` · ${a.category}` : ""})` })));
  }, 150);
});

async function search(query) {
  const response = await fetch(`/api/races/${encodeURIComponent(slug)}/athletes?q=${encodeURIComponent(query)}&limit=10`);
  return response.ok ? response.json() : null;
}

// A bib, a whole name or the start of a part of one ("kipchoge"): one athlete, or say why
// not. Nothing that names no athlete becomes a chip.
async function findAthlete(wanted) {
  const needle = wanted.toLowerCase();
  const known = [...found, ...(state ? state.athletes : [])];
  const exact = known.find((a) => a.bib === wanted || a.name.toLowerCase() === needle);
  if (exact) return { bib: exact.bib };
  const matches = await search(wanted);
  if (matches && matches.total === 1) return { bib: matches.athletes[0].bib };
  if (matches && matches.total > 1) return { problem: `${matches.total} athletes match “${wanted}”: pick one from the list.` };
  return { problem: `No athlete matches “${wanted}”.` };
}

document.getElementById("follow-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const wanted = picker.value.trim();
  if (!wanted) return;
  const athlete = await findAthlete(wanted);
  followMessage.textContent = athlete.problem || "";
  if (!athlete.bib) return;
  if (!followed.includes(athlete.bib)) {
    followed.push(athlete.bib);
    saveFollowed();
  }
  picker.value = "";
});

// A chip kept from before (a name typed where a bib belongs, an athlete since removed) that
// names nobody in the race is dropped, once the server has said so.
let checkedFollowed = false;
async function forgetUnknown() {
  if (checkedFollowed || fixedBib) return;
  checkedFollowed = true;
  const missing = followed.filter((bib) => !state.athletes.some((a) => a.bib === bib));
  const unknown = [];
  for (const bib of missing) {
    const answer = await fetch(`/api/races/${encodeURIComponent(slug)}/athletes/${encodeURIComponent(bib)}`);
    if (answer.status === 404) unknown.push(bib);
  }
  if (!unknown.length) return;
  followed = followed.filter((bib) => !unknown.includes(bib));
  saveFollowed();
}

function renderFollowed() {
  followedList.replaceChildren(
    ...followed.map((bib) => {
      const remove = el("button", { className: "chip-remove", text: "×", attrs: { type: "button", "aria-label": `Stop following ${bib}` } });
      remove.addEventListener("click", () => {
        followed = followed.filter((b) => b !== bib);
        saveFollowed();
      });
      return el("li", { className: "chip" }, [el("span", { text: bib }), fixedBib ? null : remove]);
    }),
  );
}

function shown() {
  if (!state) return [];
  if (followed.length) return followed.map((bib) => state.athletes.find((a) => a.bib === bib)).filter(Boolean);
  // Nobody followed yet: the race's own athletes (not pacers), leaders first.
  return state.athletes
    .filter((a) => a.role === "athlete")
    .sort((a, b) => b.projection.distance_m - a.projection.distance_m || (a.projection.last_elapsed_s ?? 0) - (b.projection.last_elapsed_s ?? 0))
    .slice(0, 6);
}

function render(delta) {
  document.getElementById("race-name").textContent = state.race.name;
  document.getElementById("target").textContent = `target ${duration(state.race.target_s)}`;
  if (!picker.value.trim()) choices.replaceChildren(...state.athletes.map((a) => el("option", { attrs: { value: a.bib }, text: `${a.name} (${a.bib})` })));
  const athletes = shown();
  const keep = new Set(athletes.map((a) => a.bib));
  for (const node of [...cards.children]) if (!keep.has(node.dataset.bib)) node.remove();
  for (const athlete of athletes) {
    let card = cards.querySelector(`[data-bib="${CSS.escape(athlete.bib)}"]`);
    if (!card) {
      card = buildCard(athlete);
      cards.append(card);
    }
    fillCard(card, athlete);
    if (delta && delta.athlete && delta.athlete.bib === athlete.bib) {
      card.classList.remove("flash");
      void card.offsetWidth;
      card.classList.add("flash");
    }
  }
  document.getElementById("empty").hidden = athletes.length > 0;
}

function buildCard(athlete) {
  const card = el("article", { className: "card", attrs: { "data-bib": athlete.bib } });
  card.innerHTML = `
    <header class="card-head"><h2 class="who"></h2><span class="bib"></span><span class="country"></span><span class="role"></span></header>
    <div class="headline">
      <div class="metric big"><span class="label finish-label">Projected finish</span><span class="value projected"></span><span class="sub range"></span></div>
      <div class="metric big"><span class="label">Against target</span><span class="value margin"></span><span class="sub chance"></span></div>
    </div>
    <div class="metrics">
      <div class="metric"><span class="label">Last checkpoint</span><span class="value last"></span><span class="sub places"></span></div>
      <div class="metric"><span class="label">Schedule</span><span class="value gap"></span></div>
      <div class="metric"><span class="label">Pace</span><span class="value pace"></span><span class="sub segment"></span></div>
      <div class="metric"><span class="label">Needs</span><span class="value required"></span><span class="sub left"></span></div>
    </div>
    <div class="metric line-metric">
      <span class="label line-title">Target line, live</span><span class="value line-gap"></span><span class="sub line-note"></span>
      <label class="ghost-pick sub">Compare with <select class="ghost-choice"></select></label>
      <span class="sub ghost-gaps"></span>
    </div>
    <div class="course" aria-hidden="true"><div class="course-line"></div><div class="course-ticks"></div><div class="line-dot"></div><div class="runner-dot"></div></div>
    <p class="course-legend"><span class="legend-item"><span class="key runner-key"></span><span class="course-label"></span></span><span class="legend-item"><span class="key line-key"></span><span class="line-label"></span></span></p>
    <div class="lower">
      <table class="etas"><caption>Expected at</caption><thead><tr><th>Checkpoint</th><th>Race time</th><th class="zone"></th><th>In</th></tr></thead><tbody></tbody></table>
      <div class="chart" role="img" aria-label="Pace per segment against the target pace"></div>
    </div>
    <p class="discipline"></p>
    <ul class="corrections"></ul>
    <ul class="notes"></ul>`;
  const select = card.querySelector(".ghost-choice");
  select.addEventListener("change", () => {
    ghost = select.value;
    rememberGhost(slug, ghost);
    for (const other of cards.querySelectorAll(".ghost-choice")) other.value = ghost;
    shownAt.clear(); // a new comparison starts from the estimate itself
    render(null);
  });
  return card;
}

function text(card, selector, value) {
  card.querySelector(selector).textContent = value;
}

function fillCard(card, athlete) {
  const p = athlete.projection;
  const race = state.race;
  // The athlete's own target where they set one (a 3:30 runner is not judged on 2:00).
  const targetS = athlete.target_s ?? race.target_s;
  const target = duration(targetS);
  text(card, ".who", athlete.name);
  text(card, ".bib", athlete.bib);
  text(card, ".country", athlete.country || "");
  const out = ["dns", "dnf", "dq"].includes(athlete.status);
  text(card, ".role", out ? athlete.status.toUpperCase() : athlete.role === "pacer" ? "pacer" : "");
  card.dataset.status = athlete.status || "";
  showPlaces(card, athlete);
  // A finished athlete has a time, not a projection: unofficial until results are published.
  card.dataset.finished = p.finished ? "yes" : "no";
  text(card, ".finish-label", p.finished ? `Finish · ${finishStanding(race)}` : "Projected finish");
  text(card, ".projected", p.projected_finish_s == null ? "–" : duration(p.projected_finish_s, { tenths: p.finished }));
  const hasRange = !p.finished && p.projected_low_s != null && p.projected_high_s != null;
  text(card, ".range", hasRange ? `80% range ${duration(p.projected_low_s)} – ${duration(p.projected_high_s)}` : p.finished ? (race.results_published_at ? "results published" : "unofficial until results are published") : "");
  const margin = card.querySelector(".margin");
  margin.textContent = p.projected_margin_s == null ? "–" : signedSeconds(p.projected_margin_s);
  margin.dataset.good = p.projected_margin_s == null ? "" : shownUnder(p.projected_margin_s) ? "yes" : "no";
  const chance = percent(p.probability_under_target);
  const finishedText = shownUnder(p.projected_margin_s) ? `under ${target}` : `not under ${target}`;
  text(card, ".chance", p.finished ? finishedText : chance ? `${chance} chance under ${target}` : "");
  text(card, ".last", p.last_checkpoint ? `${p.last_checkpoint} · ${duration(p.last_elapsed_s, { tenths: true })}` : "not yet started");
  const gapNode = card.querySelector(".gap");
  gapNode.textContent = gap(p.gap_s);
  gapNode.dataset.good = p.gap_s == null ? "" : p.gap_s <= 0 ? "yes" : "no";
  text(card, ".pace", pace(p.pace_s_per_km));
  text(card, ".segment", p.last_segment_pace_s_per_km ? `last segment ${pace(p.last_segment_pace_s_per_km)}` : "");
  text(card, ".required", p.finished ? "–" : p.required_pace_s_per_km ? requiredPace(p.required_pace_s_per_km) : out ? "–" : p.last_checkpoint ? "out of reach" : requiredPace(targetS / (race.distance_m / 1000)));
  text(card, ".left", p.finished || !p.required_pace_s_per_km ? "" : `${perUnit()} for the ${distance(race.distance_m - p.distance_m)} left`);
  // Pace discipline: segments beyond the race's tolerance, for everyone to see.
  const outside = (athlete.pace_drift || []).filter((d) => d.outside);
  const allowed = tolerance(race.pace_tolerance_s_per_km);
  const discipline = card.querySelector(".discipline");
  discipline.textContent = !(athlete.pace_drift || []).length ? "" : outside.length
    ? `Off pace (${allowed}): ${outside.map((d) => `${d.checkpoint} ${pace(d.pace_s_per_km)}, ${drift(d.drift_s_per_km)}`).join(" · ")}`
    : `Every segment within ${allowed} of the schedule`;
  discipline.dataset.good = outside.length ? "no" : "yes";
  const ticks = card.querySelector(".course-ticks");
  ticks.replaceChildren(
    ...race.checkpoints.map((cp) =>
      el("span", { className: `tick${cp.code === "HALF" ? " half" : cp.code === "FINISH" ? " finish" : ""}`, attrs: { "data-left": (cp.distance_m / race.distance_m) * 100, title: cp.name || cp.code } }, [
        el("span", { className: "tick-label", text: tickLabel(cp) }),
      ]),
    ),
  );
  for (const tick of ticks.children) tick.style.left = `${tick.dataset.left}%`;
  text(card, ".etas .zone", `Clock (${zoneName(race.timezone)})`);
  const tbody = card.querySelector(".etas tbody");
  tbody.replaceChildren(
    ...p.eta.map((eta) => el("tr", { attrs: { "data-elapsed": eta.elapsed_s } }, [
      el("td", { text: eta.checkpoint }),
      el("td", { text: duration(eta.elapsed_s) }),
      el("td", { text: wallTime(eta.at, race.timezone) }),
      el("td", { className: "countdown" }),
    ])),
  );
  card.querySelector(".etas").hidden = p.eta.length === 0;
  card.querySelector(".notes").replaceChildren(...(athlete.notes || []).map((note) => el("li", { text: localNote(note) })));
  fillGhosts(card, athlete);
  card.querySelector(".corrections").replaceChildren(...corrections(athlete).map((line) => el("li", { text: line })));
  drawChart(card, athlete);
}

// The target line, or a reference run chosen on the page (kept in this browser).
function chosenGhost() {
  return findGhost(state.race, ghost);
}

function fillGhosts(card, athlete) {
  const select = card.querySelector(".ghost-choice");
  card.querySelector(".ghost-pick").hidden = (state.race.ghosts || []).length === 0;
  fillGhostChoice(select, state.race, ghost);
  const run = chosenGhost();
  const gaps = ghostGaps(athlete, run);
  // "vs Kipchoge, Vienna 2019: 5K +0:00.0 · 10K −0:01.0": at every measured checkpoint.
  text(card, ".ghost-gaps", run && gaps.length ? `vs ${run.name}: ${ghostGapsText(gaps)}` : "");
}

// "5K", "½" for half-way (beside 20K), "Fin" for the finish: short enough for a phone.
function tickLabel(cp) {
  if (cp.code === "HALF") return "½";
  if (cp.code === "FINISH") return "Fin";
  return cp.code;
}

// "30K corrected 1:25:12.0 → 1:25:11.0 (photo review)": a correction stays in view.
function corrections(athlete) {
  return athlete.splits
    .filter((split) => split.correction)
    .map((split) => {
      const c = split.correction;
      const why = c.reason ? ` (${c.reason})` : "";
      return `${split.checkpoint} corrected ${duration(c.elapsed_s_before, { tenths: true })} → ${duration(c.elapsed_s_after, { tenths: true })}${why}`;
    });
}

// A screen reader hears each split once, not the clock ticking (the cards are not live).
function announce(delta) {
  if (!delta || !delta.athlete || delta.change.type !== "split_added") return;
  if (!shown().some((a) => a.bib === delta.athlete.bib)) return;
  const split = delta.athlete.splits.find((s) => s.id === delta.change.split_id);
  if (split) announcer.textContent = `${delta.athlete.name} passed ${split.checkpoint} in ${duration(split.elapsed_s, { tenths: true })}`;
}

// Places move whenever anyone passes, so the live state leaves them out; a card asks the
// API once per new split (or status) of its athlete: the places at that moment.
const placesAsked = new Map();
async function showPlaces(card, athlete) {
  const last = athlete.splits.length ? athlete.splits[athlete.splits.length - 1] : null;
  const key = last ? `${last.id}:${last.version}:${athlete.status}` : "";
  if (placesAsked.get(athlete.bib) === key) return;
  placesAsked.set(athlete.bib, key);
  if (!last) {
    text(card, ".places", "");
    return;
  }
  const response = await fetch(`/api/races/${slug}/athletes/${encodeURIComponent(athlete.bib)}`);
  if (!response.ok || placesAsked.get(athlete.bib) !== key) return;
  const { places, category } = await response.json();
  const parts = places ? [`place ${places.overall}`, places.category ? `${category} ${places.category}` : null] : [];
  text(card, ".places", parts.filter(Boolean).join(" · "));
}

function segments(athlete) {
  const points = [];
  let previous = { distance_m: 0, elapsed_s: 0 };
  for (const split of athlete.splits) {
    // A flagged or approximate time would draw a pace nobody ran.
    if (split.flags.length || split.approximate) continue;
    const metres = split.distance_m - previous.distance_m;
    points.push([inUnits(split.distance_m), perUnitSeconds(((split.elapsed_s - previous.elapsed_s) * 1000) / metres)]);
    previous = split;
  }
  return points;
}

function drawChart(card, athlete) {
  const node = card.querySelector(".chart");
  const points = segments(athlete);
  const targetPace = perUnitSeconds(state.race.target_s / (state.race.distance_m / 1000));
  const xs = points.map((point) => point[0]);
  const data = [xs, points.map((point) => point[1]), xs.map(() => targetPace)];
  const existing = charts.get(athlete.bib);
  if (existing && existing.root.isConnected) {
    existing.setData(data);
    return;
  }
  if (!window.uPlot || !points.length) return;
  const chart = new window.uPlot({
    width: Math.max(160, node.clientWidth || 320), height: 170,
    legend: { show: false },
    scales: { x: { time: false }, y: { dir: -1, range: (u, min, max) => [Math.min(min, targetPace) - 3, Math.max(max, targetPace) + 3] } },
    axes: [
      { stroke: "#9aa6b2", grid: { stroke: "#26303b" }, values: (u, v) => v.map((x) => `${x} ${units()}`) },
      { stroke: "#9aa6b2", grid: { stroke: "#26303b" }, values: (u, v) => v.map((s) => pace(s / perUnitSeconds(1), { bare: true })), size: 50 }, // axis values are per unit
    ],
    series: [{}, { label: "segment pace", stroke: "#4fd1a5", width: 2, points: { size: 7, fill: "#4fd1a5" } }, { label: "target", stroke: "#f6c343", dash: [6, 4], width: 1.5, points: { show: false } }],
  }, data, node);
  charts.set(athlete.bib, chart);
  // The chart follows its card's width (a window resized, a phone turned): never over the
  // card beside it.
  new ResizeObserver(() => {
    const wanted = Math.max(160, node.clientWidth);
    if (Math.abs(wanted - chart.width) > 1) chart.setSize({ width: wanted, height: 170 });
  }).observe(node);
}

// The clock, countdowns, the target line and the course position move between updates.
setInterval(() => {
  if (!state) return;
  const elapsed = raceElapsed(state.race, live.serverNow());
  const page = pageClock(shown(), elapsed);
  clock.textContent = page.elapsed == null ? "not started" : duration(Math.max(0, page.elapsed), { tenths: page.stopped });
  clock.dataset.stopped = page.stopped ? "yes" : "no";
  const target = duration(state.race.target_s);
  for (const card of cards.children) {
    const athlete = state.athletes.find((a) => a.bib === card.dataset.bib);
    if (!athlete) continue;
    const p = athlete.projection;
    const run = chosenGhost();
    const { line, at, ahead } = lineGap(state.race, athlete, elapsed, shownAt, run ? run.track : state.race.target_line);
    const against = run ? run.name : "the line";
    const share = ((at ?? 0) / state.race.distance_m) * 100;
    card.querySelector(".runner-dot").style.left = `${share}%`;
    card.querySelector(".course-line").style.setProperty("--done", `${share}%`);
    card.querySelector(".line-dot").style.left = `${((line ?? 0) / state.race.distance_m) * 100}%`;
    const surname = athlete.name.split(" ").pop();
    const where = p.finished ? "finished" : at == null ? "not started" : `≈ ${distance(at)}`;
    text(card, ".course-label", `${surname} ${where}`);
    text(card, ".line-label", run ? `${run.name} ${distance(line)}` : `${target} line ${distance(line)}`);
    text(card, ".line-title", run ? "Against the ghost, live" : "Target line, live");
    const lineNode = card.querySelector(".line-gap");
    if (p.finished) {
      const beat = run ? p.last_elapsed_s < run.finish_s : shownUnder(p.projected_margin_s);
      lineNode.textContent = beat ? `beat ${against}` : `behind ${against}`;
      lineNode.dataset.good = beat ? "yes" : "no";
      text(card, ".line-note", `clock stopped at ${duration(athleteClock(athlete, elapsed), { tenths: true })}`);
    } else {
      lineNode.textContent = ahead == null ? "no split yet" : lineText(ahead, against);
      lineNode.dataset.good = ahead == null ? "" : ahead >= 1 ? "yes" : "no";
      text(card, ".line-note", ahead == null ? "" : "estimated from the last splits and the race clock");
    }
    for (const row of card.querySelectorAll(".etas tbody tr")) {
      const left = (Number(row.dataset.elapsed) - elapsed) / state.race.clock_rate;
      row.querySelector(".countdown").textContent = left > 0 ? duration(left) : "due";
    }
  }
}, 250);

renderFollowed();
