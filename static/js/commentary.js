// Commentators' dashboard: every summary athlete, every split, gaps, places and notes.
import { bindStatus, connectLive, finishStanding, lineGap, pageClock, raceElapsed, tickUpdated } from "./live.js";
import { behind, drift, duration, el, lineShort, localNote, pace, percent, roundUp, shownUnder, signedSeconds } from "./format.js";
import { fillGhostChoice, findGhost, ghostGaps, rememberGhost, rememberedGhost } from "./ghosts.js";
import { renderPacing } from "./pacing.js";
import { throttled } from "./throttle.js";
import { chooseUnits } from "./units.js";

const slug = document.body.dataset.race;
const table = document.getElementById("board");
const clock = document.getElementById("race-clock");
const pacingPanel = document.getElementById("pacing");
const ghostChoice = document.getElementById("ghost-choice");
let ghost = rememberedGhost(slug); // "" is the target line; shared with the other pages
let state = null;
let newest = null;
const shownAt = new Map(); // markers never move backwards on screen
const ghostShownAt = new Map();

const live = connectLive({
  race: slug,
  onState: (next, delta) => {
    state = next;
    if (delta && delta.athlete) newest = delta.athlete.bib;
    render();
    askStandings();
  },
  onStatus: bindStatus(document.getElementById("status")),
});
tickUpdated(document.getElementById("updated"), live);
ghostChoice.addEventListener("change", () => {
  ghost = ghostChoice.value;
  rememberGhost(slug, ghost);
  if (state) render();
});
chooseUnits(() => state && render());
// On a phone the margin is to the second (rounded toward slower): every column counts.
const phone = window.matchMedia("(max-width: 760px)");
phone.addEventListener("change", () => state && render());

// Places, gaps to the leader and to the athlete ahead, and moves are the whole field's, not
// the board's: one split moves everyone behind it, so they are not live state (a snapshot
// plus deltas must equal a fresh snapshot). The board asks the server for its athletes'
// standings when the race moves, at most once per STANDINGS_EVERY_MS, the last ask always
// answered; an answer older than the one shown is dropped.
const STANDINGS_EVERY_MS = 2000;
let standings = { seq: -1, byBib: new Map() };
let askedSeq = null;
const askForStandings = throttled(() => {
  askedSeq = state.seq;
  return fetch(`/api/races/${encodeURIComponent(slug)}/standings`)
    .then((response) => (response.ok ? response.json() : null))
    .then((answer) => {
      if (!answer || answer.seq < standings.seq) return;
      const byBib = new Map(answer.athletes.map((a) => [a.bib, new Map(a.checkpoints.map((c) => [c.checkpoint, c]))]));
      standings = { seq: answer.seq, byBib };
      render();
    })
    .catch(() => { askedSeq = null; }); // asked again at the next change
}, STANDINGS_EVERY_MS);

function askStandings() {
  if (state && state.seq !== askedSeq) askForStandings();
}

// Where an athlete stands at a checkpoint (null: not known yet, or not placed).
function standingAt(bib, checkpoint) {
  const own = standings.byBib.get(bib);
  return (own && checkpoint && own.get(checkpoint)) || null;
}

// The athlete's furthest placed checkpoint.
function latestStanding(athlete) {
  for (let i = athlete.splits.length - 1; i >= 0; i -= 1) {
    const found = standingAt(athlete.bib, athlete.splits[i].checkpoint);
    if (found) return found;
  }
  return null;
}

// "+3 since 25K" (places gained), "−2 since 25K", nothing when unmoved.
function movedNodes(moved, gender) {
  if (!moved || !moved.overall) return [];
  const n = moved.overall;
  return [
    el("span", { className: `moved ${n > 0 ? "up" : "down"}`, text: ` ${n > 0 ? "+" : "−"}${Math.abs(n)}` }),
    el("span", { className: "since", text: ` since ${moved.since}` }),
    gender && moved.gender ? el("span", { className: "since", text: ` (${gender} ${moved.gender > 0 ? "+" : "−"}${Math.abs(moved.gender)})` }) : null,
  ];
}

function leaderText(gaps) {
  if (!gaps) return "–";
  return gaps.ahead_s == null && gaps.leader_s === 0 ? "leads" : behind(gaps.leader_s);
}

function gapAt(split) {
  const cp = state.race.checkpoints.find((c) => c.code === split.checkpoint);
  return split.elapsed_s - cp.target_elapsed_s;
}

function render() {
  document.getElementById("race-name").textContent = state.race.name;
  const cps = state.race.checkpoints;
  renderPacing(pacingPanel, state.race, state.athletes);
  // The ghost chosen on this board: a column of its live gap, its gap under each split.
  document.getElementById("ghost-pick").hidden = !(state.race.ghosts || []).length;
  fillGhostChoice(ghostChoice, state.race, ghost);
  const run = findGhost(state.race, ghost);
  table.classList.toggle("with-ghost", Boolean(run));
  // Furthest first; at the same mat by place there (chip time), else by the race clock.
  // Pacers in a group are in the pacing panel, with their splits; the board is the racers'.
  const placeOf = (a) => latestStanding(a)?.places?.overall ?? 1e9;
  const athletes = state.athletes.filter((a) => !a.pacer_group).sort(
    (a, b) => b.projection.distance_m - a.projection.distance_m || placeOf(a) - placeOf(b) || (a.projection.last_elapsed_s ?? 1e9) - (b.projection.last_elapsed_s ?? 1e9) || a.bib.localeCompare(b.bib),
  );
  // The key columns come first, so they stay in view at any width; the splits scroll after.
  const head = el("tr", {}, [
    el("th", { text: "Pos" }), el("th", { text: "Athlete" }),
    // On a phone the gap to the athlete ahead goes under the leader's (one column less).
    el("th", { className: "key-col leader-col", attrs: { title: "Behind the leader at the last mat, chip time" } }, [el("span", { text: "Leader" }), el("span", { className: "phone-only", text: " / ahead" })]),
    el("th", { className: "key-col ahead-col", text: "Ahead", attrs: { title: "Behind the athlete placed ahead at the last mat, chip time" } }),
    el("th", { className: "key-col gap-col", text: "Gap" }), el("th", { className: "key-col line-col", text: "Line" }),
    run ? el("th", { className: "key-col ghost-col", text: "Ghost", attrs: { title: run.name } }) : null,
    el("th", { className: "key-col", text: pageClock(athletes, null).stopped ? "Finish" : "Projected / finish" }), el("th", { className: "key-col margin-col", text: "Margin" }), el("th", { className: "key-col chance-col", text: "Chance" }),
    ...cps.map((cp) => el("th", { className: "split-col", text: cp.code })),
  ]);
  const rows = athletes.map((athlete) => {
    const p = athlete.projection;
    const valid = athlete.splits.filter((s) => !s.flags.length && !s.approximate);
    const last = valid[valid.length - 1];
    const before = valid[valid.length - 2];
    const standing = latestStanding(athlete);
    const places = standing && standing.places;
    const overall = standing && standing.gaps.overall;
    const inGender = standing && standing.gaps.gender;
    // The change in the gap since the mat before, to the tenth, rounded toward losing time.
    const trend = last && before ? roundUp(gapAt(last) - gapAt(before), 1) : null;
    const behindGhost = new Map(ghostGaps(athlete, run));
    let previous = { distance_m: 0, elapsed_s: 0 };
    const cells = cps.map((cp) => {
      const split = athlete.splits.find((s) => s.checkpoint === cp.code);
      if (!split) return el("td", { className: "split-col empty", text: "" });
      // Flagged and approximate times make no segment pace (nobody ran a 2:47 km).
      const usable = !split.flags.length && !split.approximate;
      const segment = usable ? ((split.elapsed_s - previous.elapsed_s) * 1000) / (split.distance_m - previous.distance_m) : null;
      if (usable) previous = split;
      const c = split.correction;
      const off = (athlete.pace_drift || []).find((d) => d.checkpoint === split.checkpoint && d.outside);
      return el("td", { className: `split-col${split.flags.length ? " flagged" : ""}${c ? " corrected" : ""}${off ? " off-pace" : ""}`, attrs: split.flags.length ? { title: split.flags.join(", ") } : {} }, [
        el("span", { className: "elapsed", text: duration(split.elapsed_s, { tenths: true }) + (split.approximate ? " ≈" : "") }),
        el("span", { className: "segment", text: segment ? pace(segment, { bare: true }) : split.approximate ? "approx." : split.flags.join(" ") }),
        ...standingNodes(standingAt(athlete.bib, split.checkpoint), athlete.gender),
        off ? el("span", { className: "drift", text: drift(off.drift_s_per_km) }) : null,
        behindGhost.has(split.checkpoint) ? el("span", { className: "ghost-gap", attrs: { title: `against ${run.name}` }, text: `ghost ${signedSeconds(behindGhost.get(split.checkpoint))}` }) : null,
        c ? el("span", { className: "was", text: `was ${duration(c.elapsed_s_before, { tenths: true })}${c.reason ? ` · ${c.reason}` : ""}` }) : null,
      ]);
    });
    const row = el("tr", { attrs: { "data-bib": athlete.bib }, className: athlete.bib === newest ? "newest" : "" }, [
      el("td", { className: "pos" }, [
        el("span", { className: "place", text: places ? String(places.overall) : "–" }),
        ...movedNodes(standing && standing.moved, athlete.gender),
        places && places.gender ? el("span", { className: "gender-place", text: `${athlete.gender} ${places.gender}` }) : null,
      ]),
      el("td", { className: "athlete" }, [
        el("strong", { text: athlete.name }),
        el("span", { className: "meta", text: ` ${athlete.bib} ${athlete.country || ""}${athlete.role === "pacer" ? " · pacer" : ""}` }),
        el("span", { className: "storylines", text: (athlete.storylines || []).map(localNote).join(" · ") }),
        el("span", { className: "notes", text: (athlete.notes || []).map(localNote).join(" · ") }),
      ]),
      el("td", { className: "behind-leader key-col leader-col" }, [
        el("span", { className: "leader-gap", text: leaderText(overall) }),
        overall && overall.ahead_s != null ? el("span", { className: "phone-only ahead-line", text: behind(overall.ahead_s) }) : null,
        inGender && places && places.overall !== places.gender ? el("span", { className: "in-gender", text: `${athlete.gender} ${leaderText(inGender)}` }) : null,
      ]),
      el("td", { className: "behind-ahead key-col ahead-col", text: overall && overall.ahead_s != null ? behind(overall.ahead_s) : "–" }),
      el("td", { className: "gap key-col gap-col", attrs: { "data-good": p.gap_s == null ? "" : p.gap_s <= 0 ? "yes" : "no" } }, [
        el("span", { text: p.gap_s == null ? "–" : signedSeconds(p.gap_s) }),
        trend == null ? null : el("span", { className: trend <= 0 ? "trend up" : "trend down", text: trend <= 0 ? ` ↑${Math.abs(trend).toFixed(1)}` : ` ↓${trend.toFixed(1)}` }),
      ]),
      el("td", { className: "line key-col line-col", text: "–" }),
      run ? el("td", { className: "ghost key-col ghost-col" }, [el("span", { className: "ghost-live", text: "–" }), el("span", { className: "ghost-last meta", text: lastGhostGap(athlete, run) })]) : null,
      el("td", { className: "projected key-col" }, [
        el("span", { text: p.projected_finish_s == null ? "–" : duration(p.projected_finish_s, { tenths: p.finished }) }),
        p.finished ? el("span", { className: "meta final", text: ` ${finishStanding(state.race)}` }) : null,
        p.finished || p.projected_low_s == null ? null : el("span", { className: "meta range", text: ` ${duration(p.projected_low_s)}–${duration(p.projected_high_s)}` }),
      ]),
      el("td", { className: "margin key-col margin-col", attrs: { "data-good": p.projected_margin_s == null ? "" : shownUnder(p.projected_margin_s) ? "yes" : "no" }, text: p.projected_margin_s == null ? "–" : signedSeconds(p.projected_margin_s, { tenths: !phone.matches }) }),
      el("td", { className: "chance key-col chance-col", text: p.finished ? "" : percent(p.probability_under_target) || "–" }),
      ...cells,
    ]);
    return row;
  });
  table.replaceChildren(el("thead", {}, [head]), el("tbody", {}, rows));
  fillLines();
}

// "30K −0:12.0": the gap to the ghost at the athlete's last measured checkpoint.
function lastGhostGap(athlete, run) {
  const gaps = ghostGaps(athlete, run);
  if (!gaps.length) return "";
  const [code, seconds] = gaps[gaps.length - 1];
  return `${code} ${signedSeconds(seconds)}`;
}

// At one checkpoint: the place overall and in the gender, behind the leader and the one ahead.
function standingNodes(found, gender) {
  if (!found || !found.places) return [];
  const g = found.places.gender ? ` · ${gender} ${found.places.gender}` : "";
  const gaps = found.gaps.overall;
  return [
    el("span", { className: "standing", text: `#${found.places.overall}${g}` }),
    el("span", { className: "behind", text: gaps.ahead_s == null && gaps.leader_s === 0 ? "leads" : `${behind(gaps.leader_s)} · ${behind(gaps.ahead_s)} ahead` }),
  ];
}

// The gaps to the target line and to the chosen ghost of every row, now: on each tick, and
// as soon as the rows are redrawn (a redraw never shows "–" in between).
function fillLines() {
  const elapsed = raceElapsed(state.race, live.serverNow());
  const run = findGhost(state.race, ghost);
  for (const row of table.querySelectorAll("tbody tr")) {
    const athlete = state.athletes.find((a) => a.bib === row.dataset.bib);
    if (!athlete) continue;
    const { ahead } = lineGap(state.race, athlete, elapsed, shownAt);
    const cell = row.querySelector(".line");
    cell.textContent = athlete.projection.finished ? "finished" : lineShort(ahead);
    cell.dataset.good = ahead == null ? "" : ahead >= 1 ? "yes" : "no";
    const ghostCell = row.querySelector(".ghost-live");
    if (!run || !ghostCell) continue;
    const against = lineGap(state.race, athlete, elapsed, ghostShownAt, run.track);
    ghostCell.textContent = athlete.projection.finished ? (athlete.projection.last_elapsed_s < run.finish_s ? "beat it" : "behind it") : lineShort(against.ahead);
    ghostCell.parentElement.dataset.good = against.ahead == null ? "" : against.ahead >= 1 ? "yes" : "no";
    ghostCell.parentElement.dataset.at = against.at ?? "";
    ghostCell.parentElement.dataset.ghostAt = against.line ?? "";
  }
  return elapsed;
}

// The clock (stopped once everyone racing has finished) and the gaps to the target line and
// the ghost, moving between mats.
setInterval(() => {
  if (!state) return;
  const elapsed = fillLines();
  const page = pageClock(state.athletes, elapsed);
  clock.textContent = page.elapsed == null ? "not started" : duration(Math.max(0, page.elapsed), { tenths: page.stopped });
  clock.dataset.stopped = page.stopped ? "yes" : "no";
}, 250);
