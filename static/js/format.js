// Formatting for race numbers: durations, paces, gaps, distances. Text only, never HTML.

// Rounding. The sport's rule: a displayed time is never faster than the measured one, so road
// results round UP to the precision shown (1:59:59.91 is "2:00:00.0" to the tenth and
// "2:00:00" to the second), and a figure against the target never looks better than it is.
// Per figure:
//   elapsed times, splits, finish times, projections and their ranges, ETAs (race time and
//   wall clock), the running race clock, countdowns and "s ago": up, toward +infinity (a
//   clock shows what anyone crossing the line at that moment would be given);
//   gaps to schedule, margins to target and their trends (positive is slower): up as signed
//   numbers, so being behind by anything shows as behind, and being ahead by less than the
//   shown precision shows as on schedule, not ahead;
//   paces run: up (slower); the pace still needed for the target: down (never easier);
//   the chance of beating the target: down; the distance covered (an estimate): down.
// Binary floats do not hold decimals (849.9 * 10 is 8498.999999999999, 7180.2 * 10 is
// 71802.00000000001): every value is first put on a microsecond grid (finer than any timing
// system, and the server keeps milliseconds), then rounded in integers.
const MICROS = 1e6;

function steps(value, decimals, direction) {
  const micros = Math.round(value * MICROS);
  const unit = MICROS / 10 ** decimals;
  return direction === "down" ? Math.floor(micros / unit) : Math.ceil(micros / unit);
}

// `value` rounded toward +infinity to `decimals` places (a Number, for sign tests and toFixed).
export function roundUp(value, decimals = 0) {
  return steps(value, decimals, "up") / 10 ** decimals || 0;
}

function clockText(wholeSeconds) {
  const h = Math.floor(wholeSeconds / 3600);
  const m = Math.floor((wholeSeconds % 3600) / 60);
  const s = wholeSeconds % 60;
  const ss = String(s).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

// H:MM:SS (M:SS under an hour), to the second or to the tenth ("14:10.0"), rounded up.
export function duration(seconds, { tenths = false } = {}) {
  if (seconds == null || !Number.isFinite(seconds)) return "–";
  const count = steps(seconds, tenths ? 1 : 0, "up");
  const sign = count < 0 ? "-" : "";
  const size = Math.abs(count);
  if (!tenths) return sign + clockText(size);
  return `${sign}${clockText(Math.floor(size / 10))}.${size % 10}`;
}

// The stored value to the millisecond, not rounded: what an official edits in a correction
// and what a split's history shows ("14:09.972", "14:10").
export function exactDuration(seconds) {
  if (seconds == null || !Number.isFinite(seconds)) return "";
  const millis = Math.round(Math.abs(seconds) * 1000);
  const fraction = millis % 1000 ? `.${String(millis % 1000).padStart(3, "0")}`.replace(/0+$/, "") : "";
  return (seconds < 0 && millis ? "-" : "") + clockText(Math.floor(millis / 1000)) + fraction;
}

// Units: kilometres or miles, chosen on the page (static/js/units.js keeps the choice). Every
// figure with a distance in it goes through here: paces per km or per mile, distances, drifts.
// Short gaps (under a kilometre) stay in metres in both, as a track is measured.
export const UNITS = {
  km: { metres: 1000, short: "km", per: "per km" },
  mi: { metres: 1609.344, short: "mi", per: "per mile" },
};
let unit = "km";

// Choose the units every formatter below uses ("km" or "mi"; anything else is km).
export function useUnits(name) {
  unit = name === "mi" ? "mi" : "km";
  return unit;
}

export function units() {
  return unit;
}

// "per km" or "per mile", for sentences ("per mile for the 10.6 mi left").
export function perUnit() {
  return UNITS[unit].per;
}

// Metres as a number of the chosen unit (for chart axes), unrounded.
export function inUnits(metres) {
  return metres / UNITS[unit].metres;
}

// Seconds per km as seconds per the chosen unit, unrounded.
export function perUnitSeconds(secondsPerKm) {
  return (secondsPerKm * UNITS[unit].metres) / 1000;
}

function paceText(wholeSeconds, bare) {
  const text = `${Math.floor(wholeSeconds / 60)}:${String(wholeSeconds % 60).padStart(2, "0")}`;
  return bare ? text : `${text}/${UNITS[unit].short}`;
}

// A pace run (or a segment's), per km or per mile: rounded up to the second, never faster
// than it was. `bare`: without "/km" (a table column that says it once).
export function pace(secondsPerKm, { bare = false } = {}) {
  if (secondsPerKm == null || !Number.isFinite(secondsPerKm)) return "–";
  return paceText(steps(perUnitSeconds(secondsPerKm), 0, "up"), bare);
}

// The pace still needed for the target: rounded down, never easier than it is.
export function requiredPace(secondsPerKm) {
  if (secondsPerKm == null || !Number.isFinite(secondsPerKm)) return "–";
  return paceText(steps(perUnitSeconds(secondsPerKm), 0, "down"), false);
}

// The server's notes and storylines speak km ("needs 2:51/km from here", "over the last
// 5 km": one language for every API client); on a page in miles they are said in miles by
// the rules above. The server rounded each pace the safe way already (a pace run up, a
// pace needed down), so rounding its figure again the same way keeps that promise.
export function localNote(text) {
  if (unit === "km") return text;
  return text
    .replace(/(needs )?(\d+):(\d{2})\/km/g, (_, needs, minutes, seconds) => {
      const perKm = Number(minutes) * 60 + Number(seconds);
      return needs ? `${needs}${requiredPace(perKm)}` : pace(perKm);
    })
    .replace(/\b(\d+(?:\.\d+)?) km\b/g, (_, km) => distance(Number(km) * 1000));
}

// Against the schedule (positive is behind): tenths under 10 s, whole seconds above.
export function gap(seconds) {
  if (seconds == null || !Number.isFinite(seconds)) return "–";
  let shown = roundUp(seconds, 1);
  if (shown === 0) return "on schedule";
  let text = Math.abs(shown).toFixed(1);
  if (Math.abs(shown) >= 10) {
    shown = roundUp(seconds, 0);
    text = String(Math.abs(shown));
  }
  return shown < 0 ? `${text} s ahead` : `${text} s behind`;
}

// A margin or gap as −0:11.4 / +0:03.2 (positive is slower), rounded toward slower; to the
// second with `tenths: false` (+0:03.2 is +0:04, −0:11.4 is −0:11).
export function signedSeconds(seconds, { tenths = true } = {}) {
  if (seconds == null || !Number.isFinite(seconds)) return "–";
  const shown = roundUp(seconds, tenths ? 1 : 0);
  const sign = shown < 0 ? "−" : shown > 0 ? "+" : "±";
  return `${sign}${duration(Math.abs(shown), { tenths })}`;
}

// True when a margin to the target, as shown, is under it (−0:00.1 or better).
export function shownUnder(seconds) {
  return seconds != null && Number.isFinite(seconds) && roundUp(seconds, 1) < 0;
}

// A distance covered, rounded down to a tenth of the unit ("12.3 km", "5 km", "7.6 mi").
export function distance(metres) {
  if (metres == null || !Number.isFinite(metres)) return "–";
  const tenths = steps(inUnits(metres) * 10, 0, "down");
  return `${tenths % 10 === 0 ? tenths / 10 : (tenths / 10).toFixed(1)} ${UNITS[unit].short}`;
}

// Against the target line (positive: ahead of it, in metres). Rounded toward behind, as
// every figure against the target: ahead by 42.9 m is "42 m ahead", behind by 0.2 m is
// "1 m behind"; a kilometre or more reads in the chosen unit to the tenth.
export function lineText(metresAhead, what = "the line") {
  if (metresAhead == null || !Number.isFinite(metresAhead)) return "–";
  const whole = steps(metresAhead, 0, "down");
  if (whole === 0) return what === "the line" ? "on the line" : `level with ${what}`;
  const side = whole > 0 ? "ahead of" : "behind";
  const size = Math.abs(whole);
  // Behind rounds to more behind: the distance of a negative gap rounds up in size.
  const tenths = Math.abs(steps(inUnits(metresAhead) * 10, 0, "down"));
  const shown = size >= 1000 ? `${(tenths / 10).toFixed(1)} ${UNITS[unit].short}` : `${size} m`;
  return `${shown} ${side} ${what}`;
}

// The short signed form for a table cell: "+42 m" ahead, "−13 m" behind, same rounding; a
// kilometre or more in the chosen unit to the tenth ("−12.9 km", "−8.1 mi").
export function lineShort(metresAhead) {
  if (metresAhead == null || !Number.isFinite(metresAhead)) return "–";
  const whole = steps(metresAhead, 0, "down");
  const sign = whole > 0 ? "+" : "−";
  if (Math.abs(whole) >= 1000) {
    const tenths = Math.abs(steps(inUnits(metresAhead) * 10, 0, "down"));
    return `${sign}${(tenths / 10).toFixed(1)} ${UNITS[unit].short}`;
  }
  return whole === 0 ? "±0 m" : `${sign}${Math.abs(whole)} m`;
}

// A segment's drift from the schedule's pace: "4.7 s/km fast", "1.2 s/km slow" (to the tenth,
// rounded toward slower: a fast drift never looks faster than it was); per mile in miles.
export function drift(secondsPerKm) {
  if (secondsPerKm == null || !Number.isFinite(secondsPerKm)) return "–";
  const shown = roundUp(perUnitSeconds(secondsPerKm), 1);
  if (shown === 0) return "on pace";
  return `${Math.abs(shown).toFixed(1)} s/${UNITS[unit].short} ${shown < 0 ? "fast" : "slow"}`;
}

// The race's pace tolerance, a setting rather than a measure: "±1 s/km", "±1.6 s/mi".
export function tolerance(secondsPerKm) {
  const shown = Math.round(perUnitSeconds(secondsPerKm) * 10) / 10;
  return `±${shown} s/${UNITS[unit].short}`;
}

// Time behind another athlete (the leader, the one ahead), rounded up to the second, as the
// chip times it comes from are: "+0:12", "+1:02:03"; a tie is "+0:00".
export function behind(seconds) {
  if (seconds == null || !Number.isFinite(seconds)) return "–";
  return `+${duration(Math.max(0, seconds))}`;
}

// The place a time zone names, for a column header ("Europe/Vienna" is "Vienna").
export function zoneName(timeZone) {
  return timeZone ? timeZone.split("/").pop().replaceAll("_", " ") : "local";
}

// A wall-clock time (an ETA), rounded up to the second.
export function wallTime(iso, timeZone) {
  if (!iso) return "–";
  const at = Math.ceil(Date.parse(iso) / 1000) * 1000;
  return new Date(at).toLocaleTimeString([], { timeZone, hourCycle: "h23", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

// The chance of beating the target, rounded down.
export function percent(probability) {
  if (probability == null || !Number.isFinite(probability)) return null;
  return `${steps(probability * 100, 0, "down")}%`;
}

// Build an element with text content (never innerHTML: names are user input).
export function el(tag, { className, text, attrs } = {}, children = []) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
  for (const child of children) if (child) node.append(child);
  return node;
}
