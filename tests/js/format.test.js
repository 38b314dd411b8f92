// The page formatters against the sport's rule: a displayed time is never faster than the
// measured one, and a figure against the target never looks better than it is.
// Run with `node --test tests/js/` (tests/test_js_format.py runs it in the suite).
import assert from "node:assert/strict";
import { test } from "node:test";

import * as format from "../../static/js/format.js";

const { behind, distance, drift, duration, exactDuration, gap, lineShort, lineText, localNote, pace, percent, perUnit, requiredPace, roundUp, shownUnder, signedSeconds, tolerance, units, useUnits, wallTime, zoneName } = format;

function table(name, show, rows) {
  test(name, () => {
    const wrong = rows
      .filter(([input, expected]) => show(input) !== expected)
      .map(([input, expected]) => `${input} → ${JSON.stringify(show(input))}, not ${JSON.stringify(expected)}`);
    assert.equal(wrong.join("\n"), "", `${name}: ${wrong.length} of ${rows.length} wrong`);
  });
}

// Miles: the same rules, per mile. The choice is the module's, so each table sets it and
// puts kilometres back.
function inMiles(show) {
  return (input) => {
    useUnits("mi");
    try {
      return show(input);
    } finally {
      useUnits("km");
    }
  };
}

table("duration to the tenth rounds up", (s) => duration(s, { tenths: true }), [
  [0, "0:00.0"],
  [0.000001, "0:00.1"], // a microsecond over is slower than 0.0
  [0.1 + 0.2, "0:00.3"], // 0.30000000000000004 is 0.3, not 0.4
  [59.9, "0:59.9"],
  [59.91, "1:00.0"],
  [59.95, "1:00.0"],
  [59.96, "1:00.0"],
  [59.99, "1:00.0"],
  [60, "1:00.0"],
  [849.9, "14:09.9"], // 849.9 * 10 is 8498.999999999999 in binary
  [849.91, "14:10.0"],
  [849.95, "14:10.0"],
  [849.96, "14:10.0"],
  [849.97, "14:10.0"],
  [849.972, "14:10.0"],
  [849.98, "14:10.0"],
  [849.99, "14:10.0"],
  [850, "14:10.0"],
  [850.0, "14:10.0"],
  [850.001, "14:10.1"],
  [3599.95, "1:00:00.0"],
  [5111, "1:25:11.0"],
  [7180.2, "1:59:40.2"], // 7180.2 * 10 is 71802.00000000001 in binary
  [7199.9, "1:59:59.9"],
  [7199.91, "2:00:00.0"],
  [7199.95, "2:00:00.0"],
  [7199.96, "2:00:00.0"],
  [7199.99, "2:00:00.0"],
  [7200, "2:00:00.0"],
  [7200.04, "2:00:00.1"],
  [36000, "10:00:00.0"],
  [-5.55, "-0:05.5"], // toward +infinity: never earlier than measured
  [-0.04, "0:00.0"],
  [null, "–"],
  [undefined, "–"],
  [NaN, "–"],
  [Infinity, "–"],
]);

table("duration to the second rounds up", (s) => duration(s), [
  [0, "0:00"],
  [0.2, "0:01"],
  [59, "0:59"],
  [59.001, "1:00"],
  [59.5, "1:00"],
  [59.96, "1:00"],
  [849.96, "14:10"],
  [850, "14:10"],
  [850.0000001, "14:10"], // below a microsecond is float noise, not a slower time
  [3599.5, "1:00:00"],
  [7199, "1:59:59"],
  [7199.001, "2:00:00"],
  [7199.5, "2:00:00"],
  [7199.96, "2:00:00"],
  [7200, "2:00:00"],
  [null, "–"],
]);

table("exactDuration keeps the stored millisecond, for editing", exactDuration, [
  [850, "14:10"],
  [849.9, "14:09.9"],
  [849.972, "14:09.972"],
  [5111.25, "1:25:11.25"],
  [7199.999, "1:59:59.999"],
  [59.9996, "1:00"],
  [null, ""],
]);

table("gap to schedule never looks better than it is", gap, [
  [null, "–"],
  [0, "on schedule"],
  [-0.04, "on schedule"], // ahead by less than the tenth shown
  [-0.099, "on schedule"],
  [0.01, "0.1 s behind"], // behind by anything shows as behind
  [0.1, "0.1 s behind"],
  [-0.1, "0.1 s ahead"],
  [-0.15, "0.1 s ahead"],
  [-0.19, "0.1 s ahead"],
  [1.95, "2.0 s behind"],
  [-1.95, "1.9 s ahead"],
  [9.9, "9.9 s behind"],
  [9.95, "10 s behind"],
  [9.96, "10 s behind"],
  [-9.96, "9.9 s ahead"],
  [-9.99, "9.9 s ahead"],
  [-10, "10 s ahead"],
  [-10.5, "10 s ahead"],
  [-10.99, "10 s ahead"],
  [10.01, "11 s behind"],
  [10.5, "11 s behind"],
  [-12.34, "12 s ahead"],
]);

table("signed seconds (margin, gap) round toward slower", signedSeconds, [
  [null, "–"],
  [-11.4, "−0:11.4"],
  [-11.46, "−0:11.4"],
  [-11.49, "−0:11.4"],
  [11.41, "+0:11.5"],
  [11.4, "+0:11.4"],
  [0, "±0:00.0"],
  [-0.04, "±0:00.0"], // under the target by less than shown: not shown as under
  [0.01, "+0:00.1"],
  [-59.96, "−0:59.9"],
  [59.96, "+1:00.0"],
  [-0.1 - 0.2, "−0:00.3"],
  [-19.8, "−0:19.8"],
]);

test("roundUp is toward +infinity on a microsecond grid", () => {
  assert.equal(roundUp(849.9, 1), 849.9);
  assert.equal(roundUp(849.91, 1), 850);
  assert.equal(roundUp(-0.04, 1), 0);
  assert.equal(roundUp(-1.26, 1), -1.2);
  assert.equal(roundUp(1.26, 0), 2);
  assert.equal(roundUp(0.1 + 0.2, 1), 0.3);
});

table("a margin is shown as under the target only when its display is", shownUnder, [
  [null, false],
  [-11.4, true],
  [-0.1, true],
  [-0.04, false], // shown as ±0:00.0: a 2:00:00.0 finish is not under 2:00:00
  [0, false],
  [0.01, false],
]);

table("pace rounds up to the second (slower)", pace, [
  [170, "2:50/km"],
  [170.0000001, "2:50/km"],
  [170.001, "2:51/km"],
  [170.4, "2:51/km"],
  [170.6, "2:51/km"],
  [((2554 - 1700) * 1000) / 5000, "2:51/km"],
  [((1700 - 850) * 1000) / 5000, "2:50/km"],
  [179.5, "3:00/km"],
  [59.5, "1:00/km"],
  [null, "–"],
  [Infinity, "–"],
]);

table("required pace rounds down (never easier than needed)", requiredPace, [
  [170, "2:50/km"],
  [170.4, "2:50/km"],
  [170.99, "2:50/km"],
  [171, "2:51/km"],
  [7200 / 42.195, "2:50/km"], // 170.636… for a 2:00:00 marathon
  [179.9999999, "3:00/km"],
  [null, "–"],
]);

table("chance rounds down", percent, [
  [null, null],
  [0, "0%"],
  [0.004, "0%"],
  [0.29, "29%"], // 0.29 * 100 is 28.999999999999996 in binary
  [0.66, "66%"],
  [0.665, "66%"],
  [0.995, "99%"],
  [1, "100%"],
]);

table("distance covered rounds down to 100 m", distance, [
  [null, "–"],
  [0, "0 km"],
  [5000, "5 km"],
  [12345, "12.3 km"],
  [12399.99, "12.3 km"],
  [12400, "12.4 km"],
  [4999.9, "4.9 km"],
]);

table("ETA wall clock rounds up to the second", (iso) => wallTime(iso, "UTC"), [
  [null, "–"],
  ["2019-10-12T06:29:10Z", "06:29:10"],
  ["2019-10-12T06:29:10.000Z", "06:29:10"],
  ["2019-10-12T06:29:10.001Z", "06:29:11"],
  ["2019-10-12T06:29:59.5Z", "06:30:00"],
  ["2019-10-12T08:29:10.2+02:00", "06:29:11"],
]);

table("the gap to the target line rounds toward behind", lineText, [
  [42.9, "42 m ahead of the line"],
  [0.4, "on the line"],
  [0, "on the line"],
  [-0.2, "1 m behind the line"],
  [-13, "13 m behind the line"],
  [1234.5, "1.2 km ahead of the line"],
  [-1234.5, "1.3 km behind the line"],
  [null, "–"],
]);

table("the short gap to the line for a table cell", lineShort, [
  [42.9, "+42 m"],
  [0.9, "±0 m"],
  [-0.2, "−1 m"],
  [999.9, "+999 m"],
  [12907.5, "+12.9 km"],
  [-12907.5, "−13.0 km"], // behind rounds to more behind
]);

table("the short gap to the line in miles", inMiles(lineShort), [
  [-13, "−13 m"],
  [-12907.5, "−8.1 mi"],
]);

table("a time zone is named by its place", zoneName, [
  ["Europe/Vienna", "Vienna"],
  ["America/New_York", "New York"],
  [undefined, "local"],
]);

table("a segment's drift from the schedule rounds toward slower", drift, [
  [-4.74, "4.7 s/km fast"],
  [1.21, "1.3 s/km slow"],
  [-0.04, "on pace"],
  [null, "–"],
]);

table("time behind another athlete rounds up to the second", behind, [
  [0, "+0:00"],
  [12, "+0:12"],
  [12.001, "+0:13"], // never closer than measured
  [849.9, "+14:10"],
  [3725.2, "+1:02:06"],
  [null, "–"],
]);

test("units are km or mi, km unless miles are asked for", () => {
  assert.equal(useUnits("mi"), "mi");
  assert.equal(perUnit(), "per mile");
  assert.equal(useUnits("furlongs"), "km");
  assert.equal(units(), "km");
  assert.equal(perUnit(), "per km");
});

table("pace per mile rounds up to the second (slower)", inMiles(pace), [
  [170, "4:34/mi"], // 273.588… s a mile
  [7200 / 42.195, "4:35/mi"], // a 2:00:00 marathon: 274.616… s a mile
  [300 / 1.609344, "5:00/mi"], // exactly five minutes a mile, whatever the binary float
  [null, "–"],
]);

table("a bare pace leaves the unit to the column", (s) => pace(s, { bare: true }), [
  [170.4, "2:51"],
]);

table("required pace per mile rounds down (never easier than needed)", inMiles(requiredPace), [
  [7200 / 42.195, "4:34/mi"],
  [300 / 1.609344, "5:00/mi"],
]);

table("distance in miles rounds down to a tenth", inMiles(distance), [
  [0, "0 mi"],
  [1609.344, "1 mi"],
  [1609.3, "0.9 mi"],
  [16093.44, "10 mi"],
  [42195, "26.2 mi"],
]);

table("the gap to the line in miles rounds toward behind; short gaps stay in metres", inMiles(lineText), [
  [999, "999 m ahead of the line"],
  [1234.5, "0.7 mi ahead of the line"],
  [-1234.5, "0.8 mi behind the line"],
]);

table("a drift per mile rounds toward slower", inMiles(drift), [
  [-4.74, "7.6 s/mi fast"],
  [1.21, "2.0 s/mi slow"],
]);

table("the pace tolerance in either unit", (s) => `${tolerance(s)} ${inMiles(tolerance)(s)}`, [
  [1, "±1 s/km ±1.6 s/mi"],
  [0.5, "±0.5 s/km ±0.8 s/mi"],
]);

table("signed seconds to the second round toward slower too", (s) => signedSeconds(s, { tenths: false }), [
  [3.2, "+0:04"],
  [-11.4, "−0:11"],
  [-0.4, "±0:00"],
  [-5830.3, "−1:37:10"],
]);

// The server's notes (tracker/domain/commentary.py and storylines.py, as their doctests
// write them) said in the page's units.
table("a note in miles keeps the server's safe rounding", inMiles(localNote), [
  ["needs 2:51/km from here", "needs 4:35/mi from here"], // 275.2 s/mi needed: down
  ["fastest segment so far (2:49/km)", "fastest segment so far (4:32/mi)"], // 271.98 run: up
  ["gained 1.2 s on schedule over the last 5 km", "gained 1.2 s on schedule over the last 3.1 mi"],
  ["lost 3 s on schedule over the last 1.1 km", "lost 3 s on schedule over the last 0.6 mi"],
  ["on course for 1:59:49, 11 s under the target", "on course for 1:59:49, 11 s under the target"],
  ["finished in 1:59:40.2, 19.8 s under the target", "finished in 1:59:40.2, 19.8 s under the target"],
]);

table("a note in kilometres is the server's", localNote, [
  ["needs 2:51/km from here", "needs 2:51/km from here"],
  ["gained 1.2 s on schedule over the last 5 km", "gained 1.2 s on schedule over the last 5 km"],
]);
