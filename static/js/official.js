// Officials' console: keyboard-first entry, "passed now", corrections, and a queue that
// survives a flaky connection and a reload. Each entry carries a client UUID, the API's
// idempotency key, so a retry can never enter it twice.
import { bindStatus, connectLive, raceElapsed, tickUpdated } from "./live.js";
import { drift, duration, el, exactDuration, wallTime } from "./format.js";
import { bindRotations } from "./rotations.js";
import { startReview } from "./review.js";
import { chooseUnits } from "./units.js";

const OUT_OF_RACE = new Set(["dns", "dnf", "dq"]);
const body = document.body;
const slug = body.dataset.race;
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const queueKey = `queue:${slug}`;
const checkpointKey = `checkpoint:${slug}`;
const select = document.getElementById("checkpoint");
const form = document.getElementById("entry");
const bibInput = document.getElementById("bib");
const timeInput = document.getElementById("time");
const message = document.getElementById("message");
const dialog = document.getElementById("edit");
let state = null;
let queue = JSON.parse(localStorage.getItem(queueKey) || "[]");
let sending = false;

const live = connectLive({
  race: slug,
  onState: (next) => { state = next; render(); reviewSoon(); },
  onStatus: bindStatus(document.getElementById("status")),
  onTiming: renderTiming,
  onError: (error) => { if (error.code === "session_ended") askToLogIn(); },
});
tickUpdated(document.getElementById("updated"), live);
const renderRotations = bindRotations({
  slug,
  request: (...args) => request(...args),
  serverNow: () => live.serverNow(),
  checkpoint: () => select.value,
  parseElapsed: (text) => parseElapsed(text),
  say: (...args) => say(...args),
});

function saveQueue() {
  localStorage.setItem(queueKey, JSON.stringify(queue));
  renderQueue();
}

function say(text, kind = "info") {
  message.textContent = text;
  message.dataset.kind = kind;
}

// The login ended (logout elsewhere, revoked token, restart of an old server): offer the
// login page, which brings the official back here; the queue waits in localStorage.
function askToLogIn() {
  const next = `/login?next=${encodeURIComponent(window.location.pathname)}`;
  const link = el("a", { text: "Log in again", attrs: { href: next } });
  message.replaceChildren("Your login has ended; entries stay queued on this device. ", link);
  message.dataset.kind = "error";
}

// "1:25:11", "85:11.4" or "5111" seconds on the race clock.
function parseElapsed(text) {
  const pieces = text.trim().split(":");
  if (pieces.length > 3 || pieces.some((piece) => !piece.trim())) return null;
  const parts = pieces.map(Number);
  if (parts.some((n) => !Number.isFinite(n) || n < 0)) return null;
  return parts.reduce((total, part) => total * 60 + part, 0);
}

function enqueue(bib, checkpoint, given) {
  const entry = { id: crypto.randomUUID(), bib, checkpoint, ...given, state: "pending", queued_at: Date.now() };
  queue.push(entry);
  saveQueue();
  flush();
  return entry;
}

function passedNow(bib) {
  // The server's clock, not this device's: the offset is measured over the socket.
  const time = new Date(live.serverNow()).toISOString();
  return enqueue(bib, select.value, { time });
}

async function request(method, url, payload) {
  const response = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
    body: JSON.stringify(payload),
  });
  const answer = await response.json().catch(() => ({}));
  if (response.ok) loadAudit();  // the write is in the log now: show it without waiting
  return { status: response.status, answer };
}

// An official's status for an athlete: DNF, DNS or DQ with a reason, or back in the race.
document.getElementById("status-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const bib = document.getElementById("status-bib").value.trim();
  const status = document.getElementById("status-value").value;
  const reason = document.getElementById("status-reason").value.trim();
  const payload = reason ? { status, reason } : { status };
  const { status: code, answer } = await request("PATCH", `/api/races/${slug}/athletes/${encodeURIComponent(bib)}`, payload);
  if (code === 200) {
    say(`Bib ${bib}: ${answer.status.toUpperCase()}`, "ok");
    event.target.reset();
  } else {
    say(answer.detail || `Status not set (${code})`, "error");
  }
});

async function flush() {
  if (sending) return;
  sending = true;
  try {
    for (const entry of queue.filter((e) => e.state === "pending")) {
      const payload = { id: entry.id, bib: entry.bib, checkpoint: entry.checkpoint };
      if (entry.time) payload.time = entry.time;
      else payload.elapsed_s = entry.elapsed_s;
      let result;
      try {
        result = await request("POST", `/api/races/${slug}/splits`, payload);
      } catch {
        return; // offline: keep it pending, the next tick retries
      }
      if (result.status === 200 || result.status === 201) {
        entry.state = "landed";
        entry.split_id = result.answer.split.id;
      } else if (result.status >= 500 || result.status === 429) {
        return; // the server is struggling: retry later, in order
      } else if (result.status === 401 || result.answer.code === "csrf_failed") {
        // csrf_failed: this page's token belongs to a login that has since ended.
        askToLogIn();
        return;
      } else {
        entry.state = "failed";
        entry.problem = result.answer.detail || `HTTP ${result.status}`;
      }
      saveQueue();
    }
  } finally {
    sending = false;
  }
}

setInterval(flush, 2000);
window.addEventListener("online", flush);

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const bib = bibInput.value.trim();
  if (!/^[A-Za-z0-9]{1,16}$/.test(bib)) {
    say("A bib is letters and digits.", "error");
    return;
  }
  if (timeInput.value.trim()) {
    const elapsed = parseElapsed(timeInput.value);
    if (elapsed == null) {
      say("Type the race time as H:MM:SS, or leave it empty for now.", "error");
      return;
    }
    enqueue(bib, select.value, { elapsed_s: elapsed });
  } else {
    passedNow(bib);
  }
  say(`Queued bib ${bib} at ${select.value}.`);
  bibInput.value = "";
  timeInput.value = "";
  bibInput.focus();
});

select.addEventListener("change", () => {
  localStorage.setItem(checkpointKey, select.value);
  render();
});

// Kilometres or miles for the drifts among a split's flags (kept in this browser).
chooseUnits(() => render());

function render() {
  if (!state) return;
  document.getElementById("race-name").textContent = state.race.name;
  if (!select.options.length) {
    select.replaceChildren(...state.race.checkpoints.map((cp) => el("option", { attrs: { value: cp.code }, text: `${cp.code} · ${cp.name}` })));
    const saved = localStorage.getItem(checkpointKey);
    if (saved && state.race.checkpoints.some((cp) => cp.code === saved)) select.value = saved;
  }
  renderRotations(state.race);
  const code = select.value;
  // Who may pass here next: the server's rule (domain.athlete_status.due_at_mats: in the
  // race, in no pacer group), and the group pacing now, whose pacers an official may tap.
  const pacingNow = state.race.pacing ? state.race.pacing.now : null;
  const expected = state.athletes
    .filter((a) => !OUT_OF_RACE.has(a.status) && (!a.pacer_group || a.pacer_group === pacingNow))
    .filter((a) => !a.splits.some((s) => s.checkpoint === code))
    .map((a) => ({ athlete: a, eta: a.projection.eta.find((e) => e.checkpoint === code) }))
    .sort((x, y) => (x.eta ? x.eta.elapsed_s : 1e9) - (y.eta ? y.eta.elapsed_s : 1e9));
  document.getElementById("expected").replaceChildren(...expected.map(({ athlete, eta }) => {
    const button = el("button", { className: "passed", attrs: { type: "button", "data-bib": athlete.bib } }, [
      el("span", { className: "passed-bib", text: athlete.bib }),
      el("span", { className: "passed-name", text: athlete.name }),
      el("span", { className: "passed-eta", attrs: eta ? { "data-eta": eta.elapsed_s } : {}, text: eta ? `ETA ${duration(eta.elapsed_s)}` : "" }),
      el("span", { className: "passed-label", text: "Passed now" }),
    ]);
    button.addEventListener("click", () => {
      passedNow(athlete.bib);
      say(`Bib ${athlete.bib} passed ${code}.`);
    });
    return button;
  }));
  const rows = state.athletes
    .flatMap((a) => a.splits.filter((s) => s.checkpoint === code).map((s) => ({ athlete: a, split: s })))
    .sort((x, y) => y.split.elapsed_s - x.split.elapsed_s);
  document.getElementById("recorded").replaceChildren(...rows.map(({ athlete, split }) => {
    const edit = el("button", { text: "Correct", attrs: { type: "button" } });
    edit.addEventListener("click", () => openEdit(athlete, split, "correct"));
    const voider = el("button", { text: "Void", attrs: { type: "button" } });
    voider.addEventListener("click", () => openEdit(athlete, split, "void"));
    const history = el("button", { text: "History", attrs: { type: "button" } });
    history.addEventListener("click", () => showHistory(split));
    return el("tr", { attrs: { "data-split": split.id } }, [
      el("td", { text: athlete.bib }), el("td", { text: athlete.name }),
      el("td", { text: duration(split.elapsed_s, { tenths: true }) }),
      el("td", { text: split.source }), el("td", { className: "flags", text: splitFlags(athlete, split) }),
      el("td", { className: "actions" }, [edit, voider, history]),
    ]);
  }));
  renderQueue(); // the queue's race times need the race's gun
}

// A split's flags, an approximate time and a segment off the race's pace tolerance.
function splitFlags(athlete, split) {
  const off = (athlete.pace_drift || []).find((d) => d.checkpoint === split.checkpoint && d.outside);
  return [...split.flags, split.approximate ? "approximate" : null, off ? `off pace: ${drift(off.drift_s_per_km)}` : null].filter(Boolean).join(", ");
}

function renderQueue() {
  const visible = queue.filter((e) => e.state !== "landed" || Date.now() - e.queued_at < 60000);
  document.getElementById("queue").replaceChildren(...visible.slice(-30).reverse().map((entry) => {
    const row = el("li", { className: `queued ${entry.state}`, attrs: { "data-id": entry.id } }, [
      el("span", { text: `${entry.bib} @ ${entry.checkpoint}` }),
      el("span", { className: "queued-time", text: queuedTime(entry) }),
      el("span", { className: "state", text: entry.state === "failed" ? `failed: ${entry.problem}` : entry.state }),
    ]);
    if (entry.state === "failed") {
      const existing = recordedSplit(entry);
      if (existing) {
        // Already recorded there: the official likely meant to correct that time.
        const instead = el("button", { className: "correct-instead", text: "Correct instead", attrs: { type: "button" } });
        instead.addEventListener("click", () => {
          openEdit(existing.athlete, existing.split, "correct", entryElapsed(entry));
          dialog.dataset.entry = entry.id;
        });
        row.append(instead);
      }
      const dismiss = el("button", { text: "Dismiss", attrs: { type: "button" } });
      dismiss.addEventListener("click", () => { queue = queue.filter((e) => e.id !== entry.id); saveQueue(); });
      row.append(dismiss);
    }
    return row;
  }));
  document.getElementById("pending-count").textContent = String(queue.filter((e) => e.state === "pending").length);
  // Landed entries older than a minute are dropped from storage; pending ones never are.
  const before = queue.length;
  queue = queue.filter((e) => e.state !== "landed" || Date.now() - e.queued_at < 60000);
  if (queue.length !== before) localStorage.setItem(queueKey, JSON.stringify(queue));
}

// An entry's time on the race clock, whether typed or "passed now" (a wall-clock instant):
// the queue shows every entry the same way, as the recorded table does.
function entryElapsed(entry) {
  if (entry.elapsed_s != null) return entry.elapsed_s;
  if (!state || !state.race.gun_time) return null;
  return raceElapsed(state.race, Date.parse(entry.time));
}

function queuedTime(entry) {
  const elapsed = entryElapsed(entry);
  if (elapsed == null) return wallTime(entry.time, raceZone());
  return `${duration(elapsed, { tenths: true })}${entry.time ? " (now)" : ""}`;
}

// The live split a failed entry collides with, if the athlete has one at that checkpoint.
function recordedSplit(entry) {
  if (!state) return null;
  const athlete = state.athletes.find((a) => a.bib === entry.bib);
  const split = athlete && athlete.splits.find((s) => s.checkpoint === entry.checkpoint);
  return split ? { athlete, split } : null;
}

const EDIT_TITLE = { void: "Void", correct: "Correct", confirm: "Confirm as run:" };
const EDIT_DONE = { void: "Split voided.", correct: "Split corrected.", confirm: "Split confirmed: it counts." };

function openEdit(athlete, split, action, proposed = null) {
  dialog.querySelector(".edit-title").textContent = `${EDIT_TITLE[action]} ${athlete.name} (${athlete.bib}) at ${split.checkpoint}`;
  // The stored time to the millisecond: saved untouched, it must not move (rounded up, it would).
  dialog.querySelector("[name=time]").value = exactDuration(proposed ?? split.elapsed_s);
  delete dialog.dataset.entry;
  dialog.querySelector(".time-field").hidden = action !== "correct";
  dialog.querySelector("[name=reason]").value = "";
  dialog.querySelector(".edit-error").textContent = "";
  dialog.dataset.split = split.id;
  dialog.dataset.action = action;
  dialog.showModal();
}

// Enter in the dialog saves (Save is its only submit button); Cancel and Escape close it.
dialog.querySelector("button.cancel").addEventListener("click", () => dialog.close());

dialog.querySelector("form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const problem = dialog.querySelector(".edit-error");
  const reason = dialog.querySelector("[name=reason]").value.trim();
  const payload = { reason };
  if (dialog.dataset.action === "correct") {
    payload.elapsed_s = parseElapsed(dialog.querySelector("[name=time]").value);
    if (payload.elapsed_s == null) {
      problem.textContent = "Type the race time as H:MM:SS (tenths and milliseconds allowed).";
      return;
    }
  }
  const action = dialog.dataset.action;
  const path = `/api/races/${slug}/splits/${dialog.dataset.split}`;
  const { status, answer } = action === "confirm"
    ? await request("POST", `${path}/confirm`, payload)
    : await request(action === "void" ? "DELETE" : "PATCH", path, payload);
  if (status === 200) {
    say(EDIT_DONE[action]);
    // A failed entry corrected instead is dealt with: it leaves the queue.
    if (dialog.dataset.entry) {
      queue = queue.filter((e) => e.id !== dialog.dataset.entry);
      saveQueue();
    }
    dialog.close();
  } else {
    problem.textContent = answer.detail || `HTTP ${status}`;
  }
});

async function showHistory(split) {
  const response = await fetch(`/api/races/${slug}/splits/${split.id}`);
  const detail = await response.json();
  const list = document.getElementById("history");
  list.replaceChildren(...detail.history.map((h) => el("li", {
    text: `v${h.version} ${h.action} by ${h.actor} at ${new Date(h.at).toLocaleTimeString()}: ${h.elapsed_s_before == null ? "" : exactDuration(h.elapsed_s_before) + " → "}${h.elapsed_s_after == null ? "void" : exactDuration(h.elapsed_s_after)}${h.reason ? ` (${h.reason})` : ""}`,
  })));
  document.getElementById("history-title").textContent = `History of ${split.bib} at ${split.checkpoint}`;
}

setInterval(() => {
  if (!state) return;
  const elapsed = raceElapsed(state.race, live.serverNow());
  document.getElementById("race-clock").textContent = elapsed == null ? "not started" : duration(Math.max(0, elapsed));
  // Past their ETA here and not recorded: overdue, which may mean a missed read.
  for (const node of document.querySelectorAll(".passed-eta[data-eta]")) {
    const late = elapsed - Number(node.dataset.eta);
    const overdue = elapsed != null && late > 0;
    node.closest(".passed").classList.toggle("overdue", overdue);
    node.textContent = overdue ? `ETA ${duration(Number(node.dataset.eta))} · overdue ${duration(late)}` : `ETA ${duration(Number(node.dataset.eta))}`;
  }
}, 250);

renderQueue();
flush();
bibInput.focus();

const review = startReview({ slug, request, openEdit, say, dialog });
// A live change may add or settle review items: look again once the burst is over.
let reviewTimer = null;
function reviewSoon() {
  if (!review) return;
  clearTimeout(reviewTimer);
  reviewTimer = setTimeout(() => review.refresh(), 1000);
}

const WARNING_TEXT = {
  silent_while_due: "silent while athletes are due",
  clock_offset: "clock off by more than 1 s",
  disconnected: "disconnected",
};

// Timing mats: one row per device line, with what needs a look first.
function renderTiming(health) {
  const rows = document.getElementById("mats");
  if (!health || !rows) return;
  const offsets = new Map(health.devices.map((d) => [d.name, d]));
  const mats = health.mats.map((mat) => ({ ...mat, device_state: offsets.get(mat.device) }));
  const silent = health.checkpoints.filter((cp) => cp.warnings.length && !cp.mats);
  rows.replaceChildren(
    ...health.devices.filter((d) => d.warnings.length).map((device) =>
      el("tr", { className: "warn" }, [
        el("td", { text: device.name }),
        el("td", { text: "device" }),
        el("td", { text: "" }),
        el("td", { text: device.clock_offset_s == null ? "" : `${device.clock_offset_s.toFixed(2)} s` }),
        el("td", { text: device.warnings.map((w) => WARNING_TEXT[w] || w).join(", ") }),
      ]),
    ),
    ...silent.map((cp) =>
      el("tr", { className: "warn" }, [
        el("td", { text: "no mat" }),
        el("td", { text: cp.code }),
        el("td", { text: "" }),
        el("td", { text: "" }),
        el("td", { text: `${cp.athletes_due} due, no reads` }),
      ]),
    ),
    ...mats.map((mat) =>
      el("tr", { className: mat.warnings.length ? "warn" : "" }, [
        el("td", { text: `${mat.device}${mat.line === "backup" ? " (backup)" : ""}` }),
        el("td", { text: mat.checkpoint }),
        el("td", { text: `${mat.reads_per_minute}/min · ${Math.ceil(mat.seconds_since_last_read)} s ago` }),
        el("td", { text: mat.clock_offset_s == null ? "" : `${mat.clock_offset_s.toFixed(2)} s` }),
        el("td", { text: mat.warnings.map((w) => WARNING_TEXT[w] || w).join(", ") }),
      ]),
    ),
  );
}

// The audit log of this race: every write, newest first, fetched a page at a time after the
// last entry seen (cheap to poll: nothing new is an empty page).
const AUDIT_SHOWN = 50;
const AUDIT_POLL_MS = 10000;
let auditAfter = 0;
let auditRows = [];

// The race's own zone once the snapshot is in; the browser's until then.
const raceZone = () => (state ? state.race.timezone : undefined);

function describeChange(entry) {
  const value = (side) => {
    if (!side) return "";
    if ("elapsed_s" in side) return side.elapsed_s == null ? "void" : exactDuration(side.elapsed_s);
    if ("gun_time" in side) return wallTime(side.gun_time, raceZone());
    const shown = (v) => (Array.isArray(v) ? (v.every((x) => typeof x !== "object") ? v.join(" ") : `${v.length} items`) : v);
    return Object.entries(side).filter(([, v]) => v != null && v !== "" && !(Array.isArray(v) && !v.length)).map(([k, v]) => `${k}: ${shown(v)}`).join(", ");
  };
  const before = value(entry.before);
  const after = value(entry.after);
  const reason = entry.after && entry.after.reason ? ` (${entry.after.reason})` : "";
  return (before ? `${before} → ` : "") + after + reason;
}

async function loadAudit() {
  const response = await fetch(`/api/audit?race=${encodeURIComponent(slug)}&after=${auditAfter}`);
  if (!response.ok) return;
  const page = await response.json();
  if (!page.entries.length) return;
  auditAfter = page.next_after;
  auditRows = [...page.entries.reverse(), ...auditRows].slice(0, AUDIT_SHOWN);
  document.getElementById("audit").replaceChildren(
    ...auditRows.map((entry) =>
      el("tr", {}, [
        el("td", { text: wallTime(entry.at, raceZone()) }),
        el("td", { text: entry.role ? `${entry.actor} (${entry.role})` : entry.actor }),
        el("td", { text: entry.action }),
        el("td", { text: entry.subject || "" }),
        el("td", { text: describeChange(entry) }),
      ]),
    ),
  );
  if (page.entries.length === 500) loadAudit();  // more than a page waiting: catch up
}

loadAudit();
setInterval(loadAudit, AUDIT_POLL_MS);
