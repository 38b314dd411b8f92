// Kilometres or miles: chosen on the page, kept in this browser for every page of the site
// (spectator, board, overlay, console), and applied by format.js, the one formatting rule.
import { useUnits } from "./format.js";

const KEY = "units";

// Apply the kept choice (or `given`, the overlay's ?units=) and wire the page's chooser, if
// any; `onChange` redraws the page. Another tab's choice arrives through the storage event.
export function chooseUnits(onChange, { chooser = document.getElementById("units"), given = null } = {}) {
  const stored = () => { try { return localStorage.getItem(KEY); } catch { return null; } };
  const chosen = useUnits(given || stored() || "km");
  if (chooser) {
    chooser.value = chosen;
    chooser.addEventListener("change", () => {
      try { localStorage.setItem(KEY, useUnits(chooser.value)); } catch { useUnits(chooser.value); }
      onChange();
    });
  }
  window.addEventListener("storage", (event) => {
    if (event.key !== KEY || given) return;
    const next = useUnits(event.newValue);
    if (chooser) chooser.value = next;
    onChange();
  });
  return chosen;
}
