// The live connection shared by every page: watch a race, merge deltas, keep the clock.
// The merge rules match tests/livekit.py, which the server's tests replay.
import { io } from "/static/vendor/socket.io.esm.min.js";

// Errors that answer a watch or resync instead of its snapshot.
const REFUSED_REQUESTS = new Set(["rate_limited", "invalid_event", "unknown_race", "not_watching"]);

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
    // The whole field changed (a new demo lap, a corrected gun): take a fresh snapshot.
    if (delta.change.type === "reset" || delta.change.type === "gun_corrected") return "gap";
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
    lastUpdate = Date.now();
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
    if (apply(delta) === "applied") {
      lastUpdate = Date.now();
      status("live");
      onState(state, delta);
      if (onDelta) onDelta(delta);
    }
  });
  socket.on("heartbeat", (beat) => {
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

// Where an athlete probably is between mats: last mat plus time since at their pace,
// never past the next mat (they have not been read there yet).
export function estimatedDistance(race, athlete, elapsedNow) {
  const p = athlete.projection;
  if (p.finished) return race.distance_m;
  if (p.last_elapsed_s == null || elapsedNow == null) return 0;
  const pace = p.last_segment_pace_s_per_km || p.pace_s_per_km;
  const next = p.eta.length ? p.eta[0].distance_m : race.distance_m;
  const run = p.distance_m + ((elapsedNow - p.last_elapsed_s) / pace) * 1000;
  return Math.max(p.distance_m, Math.min(run, next - 1));
}

export function bindStatus(statusNode, updatedNode, live) {
  return (name) => {
    statusNode.dataset.state = name;
    statusNode.textContent = { live: "● Live", reconnecting: "Reconnecting…", offline: "Offline" }[name];
  };
}

export function tickUpdated(node, live) {
  setInterval(() => {
    const last = live.lastUpdate();
    if (!last) return;
    const ago = Math.ceil((Date.now() - last) / 1000); // never fresher than it is
    node.textContent = ago < 2 ? "updated just now" : `updated ${ago} s ago`;
    node.dataset.stale = ago > 60 ? "yes" : "no";
  }, 1000);
}
