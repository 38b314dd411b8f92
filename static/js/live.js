// The live connection shared by every page: watch a race, merge deltas, keep the clock.
// The merge rules match tests/livekit.py, which the server's tests replay.
import { io } from "/static/vendor/socket.io.esm.min.js";

// Errors that answer a watch or resync instead of its snapshot.
const REFUSED_REQUESTS = new Set(["rate_limited", "invalid_event", "unknown_race", "not_watching"]);

const FIELD_CHANGES = new Set(["reset", "gun_corrected", "ghosts_changed"]);

export function merge(state, delta) {
  const athletes = new Map(state.athletes.map((a) => [a.bib, a]));
  if (delta.kind === "batch") {
    // A mass passage's changes first_seq..seq at once, each athlete in its latest state.
    if (delta.seq <= state.seq) return "stale";
    if (delta.first_seq > state.seq + 1) return "gap";
    for (const athlete of delta.athletes) athletes.set(athlete.bib, athlete);
    state.athletes = [...athletes.values()].sort((a, b) => a.bib.localeCompare(b.bib));
    state.seq = delta.seq;
    return "applied";
  }
  if (delta.seq != null) {
    if (delta.seq <= state.seq) return "stale";
    if (delta.seq !== state.seq + 1) return "gap";
    state.seq = delta.seq;
  } else {
    const known = athletes.get(delta.athlete.bib);
    const knownSeq = known ? known.seq : 0;
    if (delta.athlete.seq <= knownSeq) return "stale";
    if (known && delta.athlete.seq !== knownSeq + 1) return "gap";
  }
  if (delta.kind === "race") {
    // The whole field changed (a new demo lap, a corrected gun, every athlete's gaps to
    // the ghosts when one is uploaded or removed): take a fresh snapshot.
    if (FIELD_CHANGES.has(delta.change.type)) return "gap";
    state.race = delta.race_state;
  } else {
    athletes.set(delta.athlete.bib, delta.athlete);
    state.athletes = [...athletes.values()].sort((a, b) => a.bib.localeCompare(b.bib));
  }
  return "applied";
}

export function connectLive({ race, athletes = [], onState, onStatus, onDelta, onTiming, onError }) {
  const socket = io("/live", { transports: ["websocket"], reconnectionDelayMax: 5000 });
  let state = null;
  let early = [];
  let followed = [...athletes];
  let offsetMs = 0;
  let bestRtt = Infinity;
  let lastUpdate = null;
  let lastHeard = null; // any word from the server: snapshot, delta or heartbeat

  // One snapshot request at a time, as the server allows; deltas wait for its answer.
  let asking = false;
  let watchNext = false;

  const status = (name) => onStatus && onStatus(name, lastUpdate);
  const resync = () => {
    if (asking) return;
    asking = true;
    socket.emit("resync", { race });
  };
  const watch = () => {
    if (asking) {
      watchNext = true;
      return;
    }
    asking = true;
    state = null;
    early = [];
    // Officials also watch the timing mats' health (sent every heartbeat).
    socket.emit("watch", { race, athletes: followed, timing: Boolean(onTiming) });
  };
  const apply = (delta) => {
    const result = merge(state, delta);
    if (result === "gap") resync();
    return result;
  };
  // The request was answered or refused: apply the deltas that waited for it.
  const answered = () => {
    asking = false;
    const waiting = early;
    early = [];
    if (state) for (const delta of waiting) apply(delta);
  };
  // A follow() made while a request was out is sent once it is answered.
  const watchIfWanted = () => {
    if (watchNext) {
      watchNext = false;
      watch();
    }
  };
  const syncClock = () => {
    const sent = Date.now();
    socket.timeout(5000).emit("clock", (err, answer) => {
      if (err) return;
      const received = Date.now();
      const rtt = received - sent;
      // The sample with the shortest round trip bounds the offset most tightly.
      if (rtt <= bestRtt * 1.5) {
        bestRtt = Math.min(rtt, bestRtt);
        offsetMs = answer.server_time * 1000 - (sent + received) / 2;
      }
    });
  };

  socket.on("connect", () => {
    status("live");
    watch();
    syncClock();
  });
  socket.on("disconnect", () => {
    asking = false;
    status("reconnecting");
  });
  socket.io.on("reconnect_attempt", () => status("reconnecting"));
  socket.on("connect_error", () => status("offline"));
  socket.on("snapshot", (snapshot) => {
    state = { race: snapshot.race, seq: snapshot.seq, athletes: snapshot.athletes };
    answered();
    lastUpdate = lastHeard = Date.now();
    status("live");
    onState(state, null);
    // Measured by bench/pages.py: load to the first live state on screen.
    if (!performance.getEntriesByName("first-live-update").length) performance.mark("first-live-update");
    watchIfWanted();
  });
  socket.on("delta", (delta) => {
    if (state === null || asking) {
      early.push(delta);
      return;
    }
    lastHeard = Date.now();
    if (apply(delta) === "applied") {
      lastUpdate = Date.now();
      status("live");
      onState(state, delta);
      if (onDelta) onDelta(delta);
    }
  });
  socket.on("heartbeat", (beat) => {
    lastHeard = Date.now();
    if (state && beat.seq > state.seq) resync();
  });
  if (onTiming) socket.on("timing", onTiming);
  socket.on("error", (error) => {
    console.warn("live:", error.code, error.message);
    if (onError) onError(error);
    if (asking && REFUSED_REQUESTS.has(error.code)) {
      answered();
      if (state) onState(state, null);
      watchIfWanted();
    }
  });
  setInterval(syncClock, 30000);

  return {
    serverNow: () => Date.now() + offsetMs,
    lastUpdate: () => lastUpdate,
    lastHeard: () => lastHeard,
    connected: () => socket.connected,
    state: () => state,
    follow(bibs) {
      followed = [...bibs];
      if (socket.connected) watch();
    },
  };
}

// Seconds on the race clock now (the demo's replayed race runs faster than life).
export function raceElapsed(race, serverNowMs) {
  if (!race.gun_time) return null;
  return ((serverNowMs - Date.parse(race.gun_time)) / 1000) * race.clock_rate;
}

// A track from the server, [[elapsed s, distance m], …]: straight between points, held at
// either end. The server defines where the target line and the athlete's estimate are
// (tracker/domain/target_line.py); the page only reads them off at the synced clock.
export function along(track, elapsed) {
  if (!track || !track.length || elapsed == null) return null;
  if (elapsed <= track[0][0]) return track[0][1];
  for (let i = 1; i < track.length; i += 1) {
    const [t0, d0] = track[i - 1];
    const [t1, d1] = track[i];
    if (elapsed <= t1) return d0 + ((d1 - d0) * (elapsed - t0)) / (t1 - t0);
  }
  return track[track.length - 1][1];
}

// The athlete's estimated distance and the target line's at this moment, and how far
// ahead of the line (negative: behind). `shown` keeps the marker from ever moving
// backwards on screen when a split snaps the estimate to the truth: it waits there until
// the new estimate passes it.
// `track` is what the athlete is measured against: the target line, or a ghost's run.
export function lineGap(race, athlete, elapsed, shown = new Map(), track = race.target_line) {
  const p = athlete.projection;
  // A finished athlete is compared where they crossed: the line stops with their clock.
  const line = along(track, Math.max(0, (p.finished ? p.last_elapsed_s : elapsed) ?? 0));
  const estimate = p.finished ? race.distance_m : along(p.track, elapsed);
  if (estimate == null) return { line, at: null, ahead: null };
  const at = Math.max(estimate, shown.get(athlete.bib) ?? 0);
  shown.set(athlete.bib, at);
  return { line, at, ahead: p.finished ? null : estimate - line };
}

// A finish time is unofficial until an official publishes the race's results.
export function finishStanding(race) {
  return race.results_published_at ? "official" : "unofficial";
}

// The clock that belongs to an athlete: the race clock until they finish, then their time.
export function athleteClock(athlete, elapsed) {
  return athlete.projection.finished ? athlete.projection.last_elapsed_s : elapsed;
}

// A page's clock stops once every athlete it shows (pacers aside) has finished: it then
// reads the last of their finish times, not a race clock running on past them.
export function pageClock(athletes, elapsed) {
  const racing = athletes.filter((a) => a.role !== "pacer");
  if (!racing.length || !racing.every((a) => a.projection.finished)) return { elapsed, stopped: false };
  return { elapsed: Math.max(...racing.map((a) => a.projection.last_elapsed_s)), stopped: true };
}

// How long without any word (delta or heartbeat, every 5 s) before the link is in doubt.
const HEARTBEAT_DOUBT_MS = 12000;

export function bindStatus(statusNode) {
  return (name) => {
    statusNode.dataset.state = name;
    statusNode.textContent = { live: "● Live", reconnecting: "Reconnecting…", offline: "Offline" }[name];
  };
}

// The newest passing among the athletes in view: "Data as of 30K, 09:38:14".
export function dataAsOf(state) {
  let newest = null;
  for (const athlete of state.athletes) {
    for (const split of athlete.splits) if (!newest || split.elapsed_s > newest.elapsed_s) newest = split;
  }
  if (!newest) return "No splits yet";
  const at = new Date(Math.ceil(Date.parse(newest.time) / 1000) * 1000);
  const clock = at.toLocaleTimeString([], { timeZone: state.race.timezone, hourCycle: "h23", hour: "2-digit", minute: "2-digit", second: "2-digit" });
  return `Data as of ${newest.checkpoint}, ${clock}`;
}

// Two separate facts beside the clock: how fresh the race data is (the newest split; in a
// real race 14 minutes between 5 km mats is normal) and whether the link is alive (fed by
// the heartbeats, so a quiet stretch of the race never reads as a dead connection).
export function tickUpdated(node, live, statusNode = document.getElementById("status")) {
  setInterval(() => {
    const state = live.state();
    if (state) node.textContent = dataAsOf(state);
    const heard = live.lastHeard();
    if (!heard || !live.connected()) return;
    const silent = Math.ceil((Date.now() - heard) / 1000);
    const doubt = Date.now() - heard > HEARTBEAT_DOUBT_MS;
    statusNode.dataset.state = doubt ? "reconnecting" : "live";
    statusNode.textContent = doubt ? `No word for ${silent} s` : "● Live";
  }, 1000);
}
