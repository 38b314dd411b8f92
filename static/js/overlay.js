// Broadcast overlay: ?bib=1&show=clock,projected,gap,pace&theme=dark|light&scale=1
import { connectLive, raceElapsed } from "./live.js";
import { duration, gap, pace, shownUnder, signedSeconds } from "./format.js";

const params = new URLSearchParams(location.search);
const slug = document.body.dataset.race;
const wanted = params.get("bib");
const show = new Set((params.get("show") || "clock,projected,gap,pace").split(","));
document.body.dataset.theme = params.get("theme") === "light" ? "light" : "dark";
document.documentElement.style.setProperty("--scale", Number(params.get("scale")) || 1);
for (const box of document.querySelectorAll("[data-field]")) box.hidden = !show.has(box.dataset.field);

let state = null;
const live = connectLive({ race: slug, athletes: wanted ? [wanted] : [], onState: (next) => { state = next; render(); } });

function athlete() {
  if (!state) return null;
  if (wanted) return state.athletes.find((a) => a.bib === wanted) || null;
  return state.athletes.find((a) => a.featured) || state.athletes.find((a) => a.role === "athlete") || null;
}

function render() {
  const a = athlete();
  document.getElementById("who").textContent = a ? a.name : "";
  if (!a) return;
  const p = a.projection;
  document.getElementById("projected").textContent = p.projected_finish_s == null ? "–" : duration(p.projected_finish_s, { tenths: p.finished });
  const margin = document.getElementById("margin");
  margin.textContent = p.projected_margin_s == null ? "" : `${signedSeconds(p.projected_margin_s)} vs ${duration(state.race.target_s)}`;
  margin.dataset.good = shownUnder(p.projected_margin_s) ? "yes" : "no";
  document.getElementById("gap").textContent = gap(p.gap_s);
  document.getElementById("pace").textContent = pace(p.last_segment_pace_s_per_km ?? p.pace_s_per_km);
}

setInterval(() => {
  if (!state) return;
  const elapsed = raceElapsed(state.race, live.serverNow());
  document.getElementById("clock").textContent = elapsed == null ? "0:00" : duration(Math.max(0, elapsed));
}, 200);
