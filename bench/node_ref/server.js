// The Node reference of the benchmark suite (bench/suite.py): the tracker's live contract on
// Node's socket.io, doing only the live layer's job. It answers the few HTTP calls the load
// generator makes (create a race, its athletes, fire the gun, post a split), keeps a sequence
// number per race, and sends each split to the race's room as one `delta` of DELTA_BYTES
// (the size of the tracker's own delta, measured by the suite). `watch` joins the room and
// answers a `snapshot` of SNAPSHOT_BYTES. It stores nothing and projects nothing.
//
//   PORT=5301 DELTA_BYTES=1800 SNAPSHOT_BYTES=20000 node bench/node_ref/server.js
'use strict';
const http = require('node:http');
const { Server } = require('socket.io');

const port = Number(process.env.PORT || 5301);
const deltaBytes = Number(process.env.DELTA_BYTES || 1500);
const snapshotBytes = Number(process.env.SNAPSHOT_BYTES || 2000);
const races = new Map(); // slug -> {seq}

function race(slug) {
  if (!races.has(slug)) races.set(slug, { seq: 0 });
  return races.get(slug);
}

// Filler that brings an encoded message to the wanted size.
function padded(message, bytes) {
  const base = JSON.stringify(message).length;
  return { ...message, padding: 'x'.repeat(Math.max(0, bytes - base - 14)) };
}

function readJson(request) {
  return new Promise((resolve) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString() || '{}'));
      } catch {
        resolve({});
      }
    });
  });
}

function answer(response, status, body) {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

const server = http.createServer(async (request, response) => {
  if (request.url.startsWith('/socket.io')) return; // socket.io answers these
  if (request.method === 'GET' && request.url === '/healthz') return answer(response, 200, { ok: true });
  const split = /^\/api\/races\/([^/]+)\/splits$/.exec(request.url);
  if (request.method === 'POST' && split) {
    const body = await readJson(request);
    const state = race(split[1]);
    state.seq += 1;
    const id = body.id || `split-${state.seq}`;
    const delta = padded(
      {
        race: split[1],
        seq: state.seq,
        kind: 'athlete',
        change: { type: 'split_added', split_id: id },
        athlete: { bib: body.bib, splits: [{ id, checkpoint: body.checkpoint, elapsed_s: body.elapsed_s }] },
      },
      deltaBytes,
    );
    io.of('/live').to(`race:${split[1]}`).emit('delta', delta);
    return answer(response, 201, { changed: true, split: { id } });
  }
  if (request.method === 'POST' && request.url.startsWith('/api/races')) {
    const body = await readJson(request);
    if (body.slug) race(body.slug);
    return answer(response, 201, {});
  }
  answer(response, 404, { error: 'not_found' });
});

const io = new Server(server, { perMessageDeflate: false, serveClient: false });
io.of('/live').on('connection', (socket) => {
  socket.on('watch', (data) => {
    const slug = data && data.race;
    socket.join(`race:${slug}`);
    socket.emit('snapshot', padded({ race: { slug }, seq: race(slug).seq, athletes: [] }, snapshotBytes));
  });
});

server.listen(port, '127.0.0.1', () => console.log(`node reference on 127.0.0.1:${port}`));
