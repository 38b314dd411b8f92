// The board's pacing panel: who is pacing now, the rotation plan against what happened,
// and the pacers' own splits. Built from the race state's `pacing` (see services/pacing.py).
import { distance, duration, el } from "./format.js";

const SOURCES = { official: "official", chip: "chip", split: "pacer's split" };

function groupName(pacing, code) {
  return pacing.groups.find((g) => g.code === code)?.name || `Group ${code}`;
}

function nowCard(pacing) {
  const group = pacing.groups.find((g) => g.code === pacing.now);
  const last = pacing.rotations[pacing.rotations.length - 1];
  const names = group ? group.members.map((m) => m.name).join(", ") : "";
  return el("div", { className: "pacing-card pacing-now" }, [
    el("h2", { text: group ? `Pacing now: ${group.name}` : pacing.rotations.length ? "No pacers in front" : "Pacers not in yet" }),
    group ? el("p", { className: "pacing-names", text: names }) : null,
    last ? el("p", { className: "meta", text: `Last: ${groupName(pacing, last.group)} ${last.action} at ${distance(last.distance_m)}, ${duration(last.elapsed_s, { tenths: true })} (${SOURCES[last.source] || last.source})` }) : null,
  ]);
}

function planCard(pacing) {
  const illustrative = pacing.plan.some((row) => row.illustrative);
  const cell = (metres, seconds) => (metres == null ? "–" : `${distance(metres)} · ${duration(seconds, { tenths: true })}`);
  const rows = pacing.plan.map((row) => {
    const planned = row.planned_in_m == null ? "not planned" : `${distance(row.planned_in_m)}–${distance(row.planned_out_m)}${row.illustrative ? " *" : ""}`;
    const running = row.in_m != null && row.out_m == null;
    return el("tr", { className: running ? "running" : "", attrs: { "data-group": row.group } }, [
      el("td", { className: "pacing-group", text: row.group }),
      el("td", { text: planned }),
      el("td", { text: cell(row.in_m, row.in_s) }),
      el("td", { text: running ? "in front" : cell(row.out_m, row.out_s) }),
    ]);
  });
  return el("div", { className: "pacing-card pacing-plan" }, [
    el("h2", { text: "Rotation plan against what happened" }),
    el("div", { className: "pacing-scroll" }, [
      el("table", { className: "pacing-table" }, [
        el("thead", {}, [el("tr", {}, ["Group", "Planned", "In", "Out"].map((t) => el("th", { text: t })))]),
        el("tbody", {}, rows),
      ]),
    ]),
    illustrative ? el("p", { className: "meta illustrative", text: "* Illustrative changeover point: the public record gives no exact time or place." }) : null,
  ]);
}

function splitsCard(pacing, athletes) {
  // The group in front first, then the rest in group order.
  const order = (code) => (code === pacing.now ? "" : code || "~");
  const pacers = athletes.filter((a) => a.pacer_group && a.splits.length).sort((a, b) => order(a.pacer_group).localeCompare(order(b.pacer_group)) || a.bib.localeCompare(b.bib, undefined, { numeric: true }));
  const rows = pacers.map((a) => el("tr", { attrs: { "data-bib": a.bib } }, [
    el("td", { className: "pacing-group", text: a.pacer_group }),
    el("td", { className: "pacing-pacer", text: a.name }),
    el("td", { text: a.splits.map((s) => `${s.checkpoint} ${duration(s.elapsed_s, { tenths: true })}${s.approximate ? " ≈" : ""}`).join(" · ") }),
  ]));
  return el("div", { className: "pacing-card pacing-splits" }, [
    el("h2", { text: "Pacers' splits" }),
    rows.length
      ? el("div", { className: "pacing-scroll" }, [el("table", { className: "pacing-table" }, [el("tbody", {}, rows)])])
      : el("p", { className: "meta", text: "No pacer over a mat yet." }),
  ]);
}

// Fill `panel` for this race state; hidden for a race without pacer groups.
export function renderPacing(panel, race, athletes) {
  const pacing = race.pacing;
  panel.hidden = !pacing || !pacing.groups.length;
  if (panel.hidden) return;
  panel.replaceChildren(nowCard(pacing), planCard(pacing), splitsCard(pacing, athletes));
  // The stint being run in view inside its scrolling list, without moving the page.
  const running = panel.querySelector(".pacing-plan tr.running");
  if (running) {
    const list = running.closest(".pacing-scroll");
    list.scrollTop = Math.max(0, running.offsetTop - list.clientHeight / 2);
  }
}
