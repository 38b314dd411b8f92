// The console's pacer rotations: record a group going in (relieving the group in front) or
// out, from the keyboard: group, in/out, where (the checkpoint, or km), time (empty: now).
// Each rotation carries a client UUID, the API's idempotency key: a retry records it once.
import { el } from "./format.js";

const RETRIES = 3;

export function bindRotations({ slug, request, serverNow, checkpoint, parseElapsed, say }) {
  const form = document.getElementById("rotation-form");
  const group = document.getElementById("rotation-group");
  const action = document.getElementById("rotation-action");
  const where = document.getElementById("rotation-km");
  const time = document.getElementById("rotation-time");
  const now = document.getElementById("rotation-now");
  let chosen = false; // the official picked a group: keep it

  group.addEventListener("change", () => { chosen = true; });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const payload = { id: crypto.randomUUID(), group: group.value, action: action.value };
    const km = where.value.trim();
    if (km) {
      const metres = Number(km.replace(",", ".")) * 1000;
      if (!Number.isFinite(metres) || metres < 0) return say("Type where as km, e.g. 41 or 20.5, or leave it empty for the checkpoint.", "error");
      payload.distance_m = metres;
    } else {
      payload.checkpoint = checkpoint();
    }
    if (time.value.trim()) {
      const elapsed = parseElapsed(time.value);
      if (elapsed == null) return say("Type the race time as H:MM:SS, or leave it empty for now.", "error");
      payload.elapsed_s = elapsed;
    } else {
      payload.time = new Date(serverNow()).toISOString();
    }
    let result = null;
    for (let attempt = 1; attempt <= RETRIES && !result; attempt += 1) {
      try {
        result = await request("POST", `/api/races/${slug}/pacer-rotations`, payload);
        if (result.status >= 500) result = null; // the same id again: recorded once
      } catch {
        result = null;
      }
    }
    if (!result) return say("Rotation not sent: no connection. Try again.", "error");
    if (result.status === 200 || result.status === 201) {
      say(`Group ${payload.group} ${payload.action}.`, "ok");
      where.value = "";
      time.value = "";
      chosen = false;
      group.focus();
    } else {
      say(result.answer.detail || `Rotation refused (${result.status})`, "error");
    }
  });

  // The groups from the race state; the next planned group is offered until one is picked.
  return function render(race) {
    const pacing = race.pacing;
    form.closest(".rotation-panel").hidden = !pacing || !pacing.groups.length;
    if (!pacing || !pacing.groups.length) return;
    if (group.options.length !== pacing.groups.length) {
      group.replaceChildren(...pacing.groups.map((g) => el("option", { attrs: { value: g.code }, text: `${g.code} · ${g.name}` })));
    }
    const next = pacing.plan.find((row) => row.in_m == null && row.planned_in_m != null);
    if (!chosen && document.activeElement !== group) {
      group.value = next ? next.group : pacing.now || group.value;
      action.value = next ? "in" : "out";
    }
    const front = pacing.groups.find((g) => g.code === pacing.now);
    now.textContent = front ? `Pacing now: ${front.name} (${front.members.map((m) => m.name).join(", ")})` : "No group pacing.";
  };
}
