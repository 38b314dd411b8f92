// Spectator page: race clock, followed athletes, projections, ETAs, pace chart.
import { bindStatus, connectLive, estimatedDistance, raceElapsed, tickUpdated } from "./live.js";
import { duration, el, gap, km, pace, percent, requiredPace, shownUnder, signedSeconds, wallTime } from "./format.js";

const body = document.body;
const slug = body.dataset.race;
const fixedBib = body.dataset.bib || null;
const storageKey = `follow:${slug}`;
const cards = document.getElementById("cards");
const clock = document.getElementById("race-clock");
const picker = document.getElementById("follow-input");
const choices = document.getElementById("athlete-choices");
const followedList = document.getElementById("followed");
const charts = new Map();

let followed = fixedBib ? [fixedBib] : JSON.parse(localStorage.getItem(storageKey) || "[]");
let state = null;

const live = connectLive({
  race: slug,
  athletes: followed,
  onState: (next, delta) => {
    state = next;
    render(delta);
  },
  onStatus: bindStatus(document.getElementById("status"), null, null),
});
tickUpdated(document.getElementById("updated"), live);

function saveFollowed() {
  if (!fixedBib) localStorage.setItem(storageKey, JSON.stringify(followed));
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
    const response = await fetch(`/api/races/${slug}/athletes?q=${encodeURIComponent(query)}&limit=10`);
    if (!response.ok || picker.value.trim() !== query) return;
    found = (await response.json()).athletes;
    choices.replaceChildren(...found.map((a) => el("option", { attrs: { value: a.bib }, text: `${a.name} (${a.bib}${a.category ? ` · ${a.category}` : ""})` })));
  }, 150);
});

document.getElementById("follow-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const wanted = picker.value.trim();
  const known = [...found, ...(state ? state.athletes : [])];
  const match = known.find((a) => a.bib === wanted) || known.find((a) => a.name.toLowerCase() === wanted.toLowerCase()) || (found.length === 1 ? found[0] : null);
  const bib = match ? match.bib : wanted;
  if (/^[A-Za-z0-9]{1,16}$/.test(bib) && !followed.includes(bib)) {
    followed.push(bib);
    saveFollowed();
  }
  picker.value = "";
});

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
      <div class="metric big"><span class="label">Projected finish</span><span class="value projected"></span><span class="sub range"></span></div>
      <div class="metric big"><span class="label">Against target</span><span class="value margin"></span><span class="sub chance"></span></div>
    </div>
    <div class="metrics">
      <div class="metric"><span class="label">Last checkpoint</span><span class="value last"></span><span class="sub places"></span></div>
      <div class="metric"><span class="label">Schedule</span><span class="value gap"></span></div>
      <div class="metric"><span class="label">Pace</span><span class="value pace"></span><span class="sub segment"></span></div>
      <div class="metric"><span class="label">Needs</span><span class="value required"></span></div>
    </div>
    <div class="course"><div class="course-line"></div><div class="runner-dot"></div><div class="course-ticks"></div><span class="course-label"></span></div>
    <div class="lower">
      <table class="etas"><caption>Expected at</caption><thead><tr><th>Checkpoint</th><th>Race time</th><th>Clock</th><th>In</th></tr></thead><tbody></tbody></table>
      <div class="chart" role="img" aria-label="Pace per segment against the target pace"></div>
    </div>
    <ul class="notes"></ul>`;
  return card;
}

function text(card, selector, value) {
  card.querySelector(selector).textContent = value;
}

function fillCard(card, athlete) {
  const p = athlete.projection;
  const race = state.race;
  text(card, ".who", athlete.name);
  text(card, ".bib", athlete.bib);
  text(card, ".country", athlete.country || "");
  const out = ["dns", "dnf", "dq"].includes(athlete.status);
  text(card, ".role", out ? athlete.status.toUpperCase() : athlete.role === "pacer" ? "pacer" : "");
  card.dataset.status = athlete.status || "";
  showPlaces(card, athlete);
  const target = athlete.target_s ?? race.target_s;
  text(card, ".projected", p.projected_finish_s == null ? "–" : duration(p.projected_finish_s, { tenths: p.finished }));
  const hasRange = !p.finished && p.projected_low_s != null && p.projected_high_s != null;
  text(card, ".range", hasRange ? `80% range ${duration(p.projected_low_s)} – ${duration(p.projected_high_s)}` : p.finished ? "finished" : "");
  const margin = card.querySelector(".margin");
  margin.textContent = p.projected_margin_s == null ? "–" : signedSeconds(p.projected_margin_s);
  margin.dataset.good = p.projected_margin_s == null ? "" : shownUnder(p.projected_margin_s) ? "yes" : "no";
  const chance = percent(p.probability_under_target);
  text(card, ".chance", chance && !p.finished ? `${chance} chance under ${duration(target)}` : "");
  text(card, ".last", p.last_checkpoint ? `${p.last_checkpoint} · ${duration(p.last_elapsed_s, { tenths: true })}` : "not yet started");
  const gapNode = card.querySelector(".gap");
  gapNode.textContent = gap(p.gap_s);
  gapNode.dataset.good = p.gap_s == null ? "" : p.gap_s <= 0 ? "yes" : "no";
  text(card, ".pace", pace(p.pace_s_per_km));
  text(card, ".segment", p.last_segment_pace_s_per_km ? `last segment ${pace(p.last_segment_pace_s_per_km)}` : "");
  text(card, ".required", p.finished ? "–" : p.required_pace_s_per_km ? requiredPace(p.required_pace_s_per_km) : out ? "–" : p.last_checkpoint ? "out of reach" : requiredPace(target / (race.distance_m / 1000)));
  const ticks = card.querySelector(".course-ticks");
  ticks.replaceChildren(...race.checkpoints.map((cp) => el("span", { className: "tick", attrs: { "data-left": (cp.distance_m / race.distance_m) * 100, title: cp.code } })));
  for (const tick of ticks.children) tick.style.left = `${tick.dataset.left}%`;
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
  card.querySelector(".notes").replaceChildren(...(athlete.notes || []).map((note) => el("li", { text: note })));
  drawChart(card, athlete);
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
    if (split.flags.length) continue;
    const metres = split.distance_m - previous.distance_m;
    points.push([split.distance_m / 1000, ((split.elapsed_s - previous.elapsed_s) * 1000) / metres]);
    previous = split;
  }
  return points;
}

function drawChart(card, athlete) {
  const node = card.querySelector(".chart");
  const points = segments(athlete);
  const targetPace = state.race.target_s / (state.race.distance_m / 1000);
  const xs = points.map((point) => point[0]);
  const data = [xs, points.map((point) => point[1]), xs.map(() => targetPace)];
  const existing = charts.get(athlete.bib);
  if (existing && existing.root.isConnected) {
    existing.setData(data);
    return;
  }
  if (!window.uPlot || !points.length) return;
  const width = Math.max(260, node.clientWidth || 320);
  const chart = new window.uPlot({
    width, height: 170,
    legend: { show: false },
    scales: { x: { time: false }, y: { dir: -1, range: (u, min, max) => [Math.min(min, targetPace) - 3, Math.max(max, targetPace) + 3] } },
    axes: [
      { stroke: "#9aa6b2", grid: { stroke: "#26303b" }, values: (u, v) => v.map((x) => `${x} km`) },
      { stroke: "#9aa6b2", grid: { stroke: "#26303b" }, values: (u, v) => v.map((s) => pace(s).replace("/km", "")), size: 50 },
    ],
    series: [{}, { label: "segment pace", stroke: "#4fd1a5", width: 2, points: { size: 7, fill: "#4fd1a5" } }, { label: "target", stroke: "#f6c343", dash: [6, 4], width: 1.5, points: { show: false } }],
  }, data, node);
  charts.set(athlete.bib, chart);
}

// The clock, countdowns and course position move every second between updates.
setInterval(() => {
  if (!state) return;
  const elapsed = raceElapsed(state.race, live.serverNow());
  clock.textContent = elapsed == null ? "not started" : duration(Math.max(0, elapsed));
  for (const card of cards.children) {
    const athlete = state.athletes.find((a) => a.bib === card.dataset.bib);
    if (!athlete) continue;
    const at = estimatedDistance(state.race, athlete, elapsed);
    const share = (at / state.race.distance_m) * 100;
    card.querySelector(".runner-dot").style.left = `${share}%`;
    card.querySelector(".course-line").style.setProperty("--done", `${share}%`);
    card.querySelector(".course-label").textContent = athlete.projection.finished ? "finished" : `≈ ${km(at)}`;
    for (const row of card.querySelectorAll(".etas tbody tr")) {
      const left = (Number(row.dataset.elapsed) - elapsed) / state.race.clock_rate;
      row.querySelector(".countdown").textContent = left > 0 ? duration(left) : "due";
    }
  }
}, 250);

renderFollowed();
