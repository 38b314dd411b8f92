// The ghost helpers the card, the board and the overlay share: which ghost, its label, its
// gaps at the checkpoints. Run with `node --test tests/js/`.
import assert from "node:assert/strict";
import { test } from "node:test";

import { findGhost, ghostGaps, ghostGapsText, ghostLabel } from "../../static/js/ghosts.js";

const race = {
  ghosts: [
    { key: "vienna-2019", name: "Kipchoge, Vienna 2019", finish_s: 7180.2 },
    { key: "even-2-01", name: "Even 2:01:00 plan", finish_s: 7260 },
  ],
};
const athlete = { ghost_gaps: { "even-2-01": [["5K", -10], ["10K", -20.04]] } };

test("a remembered key finds its ghost; a removed one or the line finds none", () => {
  assert.equal(findGhost(race, "even-2-01").name, "Even 2:01:00 plan");
  assert.equal(findGhost(race, "chicago-2023"), null);
  assert.equal(findGhost(race, ""), null);
  assert.equal(findGhost({}, "even-2-01"), null);
});

test("a ghost's label shows tenths only where its finish has them", () => {
  assert.equal(ghostLabel(race.ghosts[0]), "Kipchoge, Vienna 2019 (1:59:40.2)");
  assert.equal(ghostLabel(race.ghosts[1]), "Even 2:01:00 plan (2:01:00)");
});

test("the gaps at the checkpoints round toward losing time", () => {
  const run = race.ghosts[1];
  assert.deepEqual(ghostGaps(athlete, run), [["5K", -10], ["10K", -20.04]]);
  assert.equal(ghostGapsText(ghostGaps(athlete, run)), "5K −0:10.0 · 10K −0:20.0");
  assert.deepEqual(ghostGaps(athlete, race.ghosts[0]), []);
  assert.deepEqual(ghostGaps(athlete, null), []);
});
