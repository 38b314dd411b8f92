// The officials' review panel: what needs a human (overdue athletes, flagged splits,
// times entered by hand that the mats contradict, read-key conflicts, unknown chips),
// worked from the keyboard: j/k move, c confirm,
// e correct, v void, a assign a chip (or accept a conflicting read), d dismiss it,
// r an athlete's raw reads, m the mat's reads.
import { duration, el, wallTime } from "./format.js";

const KIND_LABEL = {
  overdue: "Overdue",
  flagged_split: "Flagged",
  conflicting_entry: "Mats disagree",
  read_conflict: "Read conflict",
  unknown_chip: "Unknown chip",
};
const FLAG_TEXT = { implausible_pace: "implausible pace", non_monotonic: "out of order" };
const REFRESH_MS = 10000;

export function startReview({ slug, request, openEdit, say, dialog }) {
  const list = document.getElementById("review-items");
  const count = document.getElementById("review-count");
  const after = document.getElementById("overdue-after");
  const assignForm = document.getElementById("assign-form");
  const assignBib = document.getElementById("assign-bib");
  const resolveForm = document.getElementById("resolve-form");
  const resolveReason = document.getElementById("resolve-reason");
  const readsTitle = document.getElementById("reads-title");
  const reads = document.getElementById("raw-reads");
  const afterKey = `overdue-after:${slug}`;
  let items = [];
  let selected = 0;
  let loading = null;

  after.value = localStorage.getItem(afterKey) || after.value;
  after.addEventListener("change", () => { localStorage.setItem(afterKey, after.value); refresh(); });

  async function refresh() {
    if (loading) return loading;
    const minutes = Math.max(0, Math.round(Number(after.value) || 0));
    loading = fetch(`/api/races/${slug}/review?overdue_after_s=${minutes * 60}&limit=200`)
      .then((response) => (response.ok ? response.json() : null))
      .then((queue) => { if (queue) render(queue); })
      .catch(() => {})
      .finally(() => { loading = null; });
    return loading;
  }

  function render(queue) {
    const keep = items[selected] && items[selected].id;
    items = queue.items;
    const again = items.findIndex((item) => item.id === keep);
    selected = Math.min(again >= 0 ? again : selected, Math.max(0, items.length - 1));
    count.textContent = String(queue.total);
    list.replaceChildren(...items.map((item, index) => el("li", {
      className: `review-item ${item.kind}${index === selected ? " selected" : ""}`,
      attrs: { "data-id": item.id, "data-kind": item.kind, "aria-selected": String(index === selected) },
    }, [
      el("span", { className: "review-kind", text: KIND_LABEL[item.kind] || item.kind }),
      el("span", { className: "review-what", text: describe(item) }),
      el("span", { className: "review-keys meta", text: keysFor(item) }),
    ])));
    if (!items.length) list.replaceChildren(el("li", { className: "meta", text: "Nothing to review." }));
  }

  function describe(item) {
    switch (item.kind) {
      case "overdue":
        return `${item.bib} ${item.name} · due at ${item.checkpoint}, ${duration(item.late_s)} late` +
          (item.last_checkpoint ? ` (last ${item.last_checkpoint} ${duration(item.last_elapsed_s)})` : " (crossed the start)");
      case "flagged_split":
        return `${item.bib} ${item.name} · ${item.checkpoint} ${duration(item.split.elapsed_s, { tenths: true })} · ${FLAG_TEXT[item.flag] || item.flag}`;
      case "conflicting_entry":
        return `${item.bib} ${item.name} · ${item.checkpoint} entered ${duration(item.split.elapsed_s, { tenths: true })}, the mat says ${duration(item.mat_elapsed_s, { tenths: true })}`;
      case "read_conflict":
        return `${item.key} · chip ${item.chip} at ${item.checkpoint} (${item.line}), kept unscored`;
      case "unknown_chip":
        return `${item.chip} · ${item.reads} read${item.reads === 1 ? "" : "s"}, last at ${item.last_checkpoint}`;
      default:
        return item.id;
    }
  }

  function keysFor(item) {
    if (item.kind === "flagged_split") return "c confirm · e correct · v void · r reads";
    if (item.kind === "conflicting_entry") return "e correct to the mat · v void · r reads";
    if (item.kind === "unknown_chip") return "a assign · m mat reads";
    if (item.kind === "overdue") return "r reads";
    if (item.kind === "read_conflict") return "a accept (score it) · d dismiss · m mat reads";
    return "m mat reads";
  }

  function select(index) {
    if (!items.length) return;
    selected = Math.max(0, Math.min(items.length - 1, index));
    list.querySelectorAll(".review-item").forEach((node, i) => {
      node.classList.toggle("selected", i === selected);
      node.setAttribute("aria-selected", String(i === selected));
    });
    const node = list.querySelectorAll(".review-item")[selected];
    if (node) node.scrollIntoView({ block: "nearest" });
  }

  function act(key) {
    const item = items[selected];
    if (key === "j" || key === "ArrowDown") return select(selected + 1), true;
    if (key === "k" || key === "ArrowUp") return select(selected - 1), true;
    if (!item) return false;
    const athlete = { bib: item.bib, name: item.name };
    if (item.kind === "flagged_split" && (key === "c" || key === "e" || key === "v")) {
      const action = { c: "confirm", e: "correct", v: "void" }[key];
      dialog.dataset.review = "1";
      openEdit(athlete, item.split, action);
      return true;
    }
    if (item.kind === "conflicting_entry" && (key === "e" || key === "v")) {
      dialog.dataset.review = "1";
      // Correcting offers the mat's time; the official may type another.
      openEdit(athlete, item.split, key === "e" ? "correct" : "void", key === "e" ? item.mat_elapsed_s : null);
      return true;
    }
    if (item.kind === "unknown_chip" && key === "a") {
      assignForm.hidden = false;
      assignForm.dataset.chip = item.chip;
      document.getElementById("assign-chip").textContent = item.chip;
      assignBib.value = "";
      assignBib.focus();
      return true;
    }
    if (item.kind === "read_conflict" && (key === "a" || key === "d")) {
      const resolution = key === "a" ? "accept" : "dismiss";
      resolveForm.hidden = false;
      resolveForm.dataset.conflict = item.id.split(":")[1];
      resolveForm.dataset.resolution = resolution;
      document.getElementById("resolve-what").textContent =
        `${key === "a" ? "Score" : "Dismiss"} read ${item.key} (chip ${item.chip} at ${item.checkpoint})`;
      resolveReason.value = "";
      resolveReason.focus();
      return true;
    }
    if (key === "r" && item.bib) return showAthleteReads(item.bib), true;
    if (key === "m" && (item.checkpoint || item.last_checkpoint)) {
      return showMatReads(item.checkpoint || item.last_checkpoint), true;
    }
    return false;
  }

  list.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (act(event.key)) event.preventDefault();
  });
  list.addEventListener("click", (event) => {
    const node = event.target.closest(".review-item");
    if (node) select([...list.children].indexOf(node));
  });
  // Back to the list after a dialog opened from it, with the queue as it is now.
  dialog.addEventListener("close", () => {
    if (!dialog.dataset.review) return;
    delete dialog.dataset.review;
    list.focus();
    refresh();
  });

  assignForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chip = assignForm.dataset.chip;
    const bib = assignBib.value.trim();
    if (!bib) return;
    const { status, answer } = await request("POST", `/api/races/${slug}/athletes/${encodeURIComponent(bib)}/chips`, { chip });
    if (status === 200 || status === 201) {
      say(`Chip ${chip} assigned to bib ${bib}: ${answer.splits.length} split${answer.splits.length === 1 ? "" : "s"}.`, "ok");
      assignForm.hidden = true;
      list.focus();
      refresh();
    } else {
      say(answer.detail || `Chip not assigned (${status})`, "error");
    }
  });
  assignBib.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { assignForm.hidden = true; list.focus(); }
  });

  resolveForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { conflict, resolution } = resolveForm.dataset;
    const reason = resolveReason.value.trim();
    if (!reason) return;
    const { status, answer } = await request("POST", `/api/races/${slug}/read-conflicts/${conflict}/${resolution}`, { reason });
    if (status === 200) {
      const read = answer.read;
      say(read ? `Read scored: ${read.status}${read.bib ? ` for bib ${read.bib}` : ""}.` : "Read dismissed.", "ok");
      resolveForm.hidden = true;
      list.focus();
      refresh();
    } else {
      say(answer.detail || `Not resolved (${status})`, "error");
    }
  });
  resolveReason.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { resolveForm.hidden = true; list.focus(); }
  });

  async function showReads(url, title, rows) {
    const response = await fetch(url);
    const body = await response.json();
    if (!response.ok) { say(body.detail || `HTTP ${response.status}`, "error"); return; }
    readsTitle.textContent = title;
    reads.replaceChildren(...rows(body).map((read) => el("tr", { attrs: { "data-key": read.key } }, [
      el("td", { text: wallTime(read.read_at) }),
      el("td", { text: read.checkpoint }),
      el("td", { text: read.chip }),
      el("td", { text: read.bib || "?" }),
      el("td", { text: read.status || read.line }),
    ])));
  }

  function showAthleteReads(bib) {
    return showReads(`/api/races/${slug}/athletes/${encodeURIComponent(bib)}/reads`, `Raw reads of bib ${bib}`, (body) => body.reads);
  }

  function showMatReads(mat) {
    return showReads(`/api/races/${slug}/mats/${encodeURIComponent(mat)}/reads?limit=100`, `Raw reads at ${mat} (latest first)`, (body) => body.reads);
  }

  refresh();
  setInterval(refresh, REFRESH_MS);
  return { refresh };
}
