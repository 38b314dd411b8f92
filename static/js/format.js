// Formatting for race numbers: durations, paces, gaps, distances. Text only, never HTML.

export function duration(seconds, { tenths = false } = {}) {
  if (seconds == null || !Number.isFinite(seconds)) return "–";
  const sign = seconds < 0 ? "-" : "";
  let rest = Math.abs(seconds);
  const t = Math.round(rest * 10) % 10;
  rest = tenths ? Math.floor(rest) : Math.round(rest);
  const h = Math.floor(rest / 3600);
  const m = Math.floor((rest % 3600) / 60);
  const s = Math.floor(rest % 60);
  const mm = h ? String(m).padStart(2, "0") : String(m);
  const text = h ? `${h}:${mm}:${String(s).padStart(2, "0")}` : `${mm}:${String(s).padStart(2, "0")}`;
  return sign + text + (tenths && t ? `.${t}` : "");
}

export function pace(secondsPerKm) {
  if (secondsPerKm == null || !Number.isFinite(secondsPerKm)) return "–";
  const whole = Math.round(secondsPerKm);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}/km`;
}

export function gap(seconds) {
  if (seconds == null) return "–";
  const rounded = Math.abs(seconds) < 10 ? Math.abs(seconds).toFixed(1) : Math.round(Math.abs(seconds));
  if (Math.abs(seconds) < 0.05) return "on schedule";
  return seconds < 0 ? `${rounded} s ahead` : `${rounded} s behind`;
}

export function signedSeconds(seconds) {
  if (seconds == null) return "–";
  const sign = seconds < 0 ? "−" : "+";
  return `${sign}${duration(Math.abs(seconds), { tenths: true })}`;
}

export function km(metres) {
  if (metres == null) return "–";
  return `${(metres / 1000).toFixed(metres % 1000 === 0 ? 0 : 1)} km`;
}

export function wallTime(iso, timeZone) {
  if (!iso) return "–";
  return new Date(iso).toLocaleTimeString([], { timeZone, hourCycle: "h23", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

export function percent(probability) {
  if (probability == null) return null;
  return `${Math.round(probability * 100)}%`;
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
