// The throttle the board's standings and the results page share. Run with `node --test tests/js/`.
import assert from "node:assert/strict";
import { test } from "node:test";

import { throttled } from "../../static/js/throttle.js";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function counted(ms) {
  const runs = { started: 0, finished: 0, inFlight: 0, most: 0 };
  const run = async () => {
    runs.started += 1;
    runs.inFlight += 1;
    runs.most = Math.max(runs.most, runs.inFlight);
    await sleep(ms);
    runs.inFlight -= 1;
    runs.finished += 1;
  };
  return { runs, run };
}

test("a burst of asks runs once now and once more after, never two at a time", async () => {
  const { runs, run } = counted(30);
  const ask = throttled(run, 50);
  for (let i = 0; i < 20; i += 1) ask();
  await sleep(200);
  assert.equal(runs.started, 2);
  assert.equal(runs.most, 1);
});

test("asks sooner than the interval wait for it; the last is always answered", async () => {
  const { runs, run } = counted(1);
  const ask = throttled(run, 80);
  ask();
  await sleep(10);
  ask();
  await sleep(20);
  assert.equal(runs.started, 1); // the second waits out the interval
  await sleep(100);
  assert.equal(runs.started, 2);
});

test("now skips the wait", async () => {
  const { runs, run } = counted(1);
  const ask = throttled(run, 1000);
  ask();
  await sleep(10);
  ask({ now: true });
  await sleep(10);
  assert.equal(runs.started, 2);
});

test("a failed run does not stop later asks", async () => {
  let calls = 0;
  const ask = throttled(async () => {
    calls += 1;
    if (calls === 1) throw new Error("offline");
  }, 0);
  const warn = console.warn;
  console.warn = () => {};
  ask();
  await sleep(5);
  ask();
  await sleep(5);
  console.warn = warn;
  assert.equal(calls, 2);
});
