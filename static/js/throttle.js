// One request at a time to something that keeps changing (standings, a results page):
// asked while one is out, it runs once more when that one is done; asked sooner than
// `everyMs` after the last start, it waits for the rest, so the last ask is always
// answered and the server hears at most one ask per interval. `{ now: true }` skips the
// wait (a new filter: somebody is looking at the page for it).
export function throttled(run, everyMs) {
  let running = false;
  let again = null;
  let startedAt = -Infinity;
  let timer = null;

  function ask({ now = false } = {}) {
    if (running) {
      again = { now: now || Boolean(again && again.now) };
      return;
    }
    const wait = now ? 0 : startedAt + everyMs - performance.now();
    if (wait > 0) {
      timer ??= setTimeout(() => { timer = null; ask(); }, wait);
      return;
    }
    running = true;
    startedAt = performance.now();
    Promise.resolve()
      .then(run)
      .catch((error) => console.warn(error))
      .finally(() => {
        running = false;
        if (again) {
          const next = again;
          again = null;
          ask(next);
        }
      });
  }
  return ask;
}
