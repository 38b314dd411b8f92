// Broadcast overlay: ?bib=1&show=clock,projected,gap,pace,next,progress,ghost&theme=dark|light
// &scale=1&place=top-left|top-right|bottom-left|bottom-right&ghost=vienna-2019 (else the
// ghost last chosen on another page in this browser; none: the target line only)
// &units=km|mi (else the units chosen on another page of the site in this browser)
import { athleteClock, connectLive, finishStanding, lineGap, raceElapsed } from "./live.js";
import { duration, gap, lineText, pace, shownUnder, signedSeconds } from "./format.js";
import { findGhost, ghostGaps, ghostGapsText, rememberedGhost } from "./ghosts.js";
import { chooseUnits } from "./units.js";

const params = new URLSearchParams(location.search);
const slug = document.body.dataset.race;
const wanted = params.get("bib");
const show = new Set((params.get("show") || "clock,projected,gap,pace,next,progress,ghost").split(","));
const PLACES = ["top-left", "top-right", "bottom-left", "bottom-right"];
document.body.dataset.theme = params.get("theme") === "light" ? "light" : "dark";
document.body.dataset.place = PLACES.includes(params.get("place")) ? params.get("place") : "top-left";
document.documentElement.style.setProperty("--scale", Number(params.get("scale")) || 1);
for (const box of document.querySelectorAll("[data-field]")) box.hidden = !show.has(box.dataset.field);

// Past this long without a word from the server (heartbeats come every 5 s) the overlay
// says its numbers may be old rather than showing them as live.
const SILENCE_MS = 12000;
const shownAt = new Map();
const ghostShownAt = new Map();
const ghostKey = params.get("ghost") ?? rememberedGhost(slug);
let state = null;
const live = connectLive({ race: slug, athletes: wanted ? [wanted] : [], onState: (next) => { state = next; render(); } });
const $ = (id) => document.getElementById(id);
chooseUnits(() => render(), { chooser: null, given: params.get("units") });

function athlete() {
  if (!state) return null;
  if (wanted) return state.athletes.find((a) => a.bib === wanted) || null;
  return state.athletes.find((a) => a.featured) || state.athletes.find((a) => a.role === "athlete") || null;
}

function render() {
  if (!state) return;
  const a = athlete();
  $("who").textContent = a ? a.name : "";
  if (!a) return;
  const p = a.projection;
  // A finish is a finish: never labelled a projection; unofficial until results are out.
  $("projected-cap").textContent = p.finished ? `finish, ${finishStanding(state.race)}` : "projected";
  $("projected").textContent = p.projected_finish_s == null ? "–" : duration(p.projected_finish_s, { tenths: p.finished });
  const margin = $("margin");
  margin.textContent = p.projected_margin_s == null ? "" : `${signedSeconds(p.projected_margin_s)} vs ${duration(state.race.target_s)}`;
  margin.dataset.good = shownUnder(p.projected_margin_s) ? "yes" : "no";
  $("gap").textContent = gap(p.gap_s);
  $("pace").textContent = pace(p.last_segment_pace_s_per_km ?? p.pace_s_per_km);
  const next = p.eta[0];
  $("next").textContent = p.finished ? "finished" : next ? `${next.checkpoint} ${duration(next.elapsed_s)}` : "–";
  const run = findGhost(state.race, ghostKey);
  $("ghost-box").hidden = !run || !show.has("ghost");
  $("bar-ghost").hidden = !run;
  if (run) {
    $("ghost-name").textContent = run.name;
    // The gap at the last two measured checkpoints: enough to read the trend on air.
    $("ghost-last").textContent = ghostGapsText(ghostGaps(a, run).slice(-2));
  }
}

setInterval(() => {
  if (!state) return;
  const elapsed = raceElapsed(state.race, live.serverNow());
  const a = athlete();
  const own = a ? athleteClock(a, elapsed) : elapsed;
  const finished = Boolean(a && a.projection.finished);
  $("clock-cap").textContent = finished ? "Final time" : "Race time";
  $("clock").textContent = own == null ? "0:00" : duration(Math.max(0, own), { tenths: finished });
  if (a) {
    const { line, at, ahead } = lineGap(state.race, a, elapsed, shownAt);
    const share = (metres) => `${((metres ?? 0) / state.race.distance_m) * 100}%`;
    $("bar-done").style.width = share(at);
    $("bar-runner").style.left = share(at);
    $("bar-line").style.left = share(line);
    $("line").textContent = finished ? "finished" : ahead == null ? "no split yet" : lineText(ahead);
    $("line").dataset.good = ahead == null ? "" : ahead >= 1 ? "yes" : "no";
    const run = findGhost(state.race, ghostKey);
    if (run) {
      const against = lineGap(state.race, a, elapsed, ghostShownAt, run.track);
      $("bar-ghost").style.left = share(against.line);
      const beat = a.projection.last_elapsed_s < run.finish_s;
      $("ghost").textContent = finished ? (beat ? "beat the ghost" : "behind the ghost") : against.ahead == null ? "no split yet" : lineText(against.ahead, "the ghost");
      $("ghost").dataset.good = finished ? (beat ? "yes" : "no") : against.ahead == null ? "" : against.ahead >= 1 ? "yes" : "no";
    }
  }
  const heard = live.lastHeard();
  const silent = heard == null ? 0 : Date.now() - heard;
  $("signal").hidden = silent <= SILENCE_MS;
  $("signal-text").textContent = `lost ${Math.ceil(silent / 1000)} s`;
  document.body.dataset.stale = silent > SILENCE_MS ? "yes" : "no";
}, 200);
