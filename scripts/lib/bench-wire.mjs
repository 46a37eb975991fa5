// What the benchmark sees on the wire. The rig's log has no times, so every request that reaches
// an HTTP server in this process (the rig's emulators) is timed here by wrapping
// http.Server.prototype.emit; the longest chain of requests that each started after the previous
// one ended is the run's sequential round-trip depth. A "black hole" stands in for hosts a
// static run must never contact: it accepts connections, counts them and never answers, so any
// request would both be counted and make the run wait.

import http from 'node:http'
import net from 'node:net'

/** Starts timing requests; returns the live list and a stop function. */
export function recordRequests() {
  const requests = []
  const original = http.Server.prototype.emit
  http.Server.prototype.emit = function (event, req, res) {
    if (event === 'request') {
      const entry = {
        port: this.address()?.port,
        method: req.method,
        path: new URL(req.url ?? '/', 'http://x').pathname,
        start: performance.now(),
        end: NaN,
      }
      requests.push(entry)
      res.on('close', () => (entry.end = performance.now()))
    }
    return original.apply(this, arguments)
  }
  return {
    requests,
    stop: () => {
      http.Server.prototype.emit = original
    },
  }
}

/**
 * Longest chain r1 → r2 → … where each request started after the previous one ended (a request
 * that overlaps another cannot have waited for it). Requests still open count as never ending.
 */
export function sequentialDepth(requests) {
  const done = requests.filter((r) => Number.isFinite(r.end)).sort((a, b) => a.start - b.start)
  const depth = []
  let best = 0
  for (let i = 0; i < done.length; i++) {
    let d = 1
    for (let j = 0; j < i; j++) {
      if (done[j].end <= done[i].start) d = Math.max(d, depth[j] + 1)
    }
    depth.push(d)
    best = Math.max(best, d)
  }
  return best
}

/** A TCP listener that never answers; `connections` counts who tried. */
export async function startBlackHole() {
  const sockets = new Set()
  const hole = { connections: 0, url: '' }
  const server = net.createServer((socket) => {
    hole.connections++
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  hole.url = `http://127.0.0.1:${server.address().port}`
  hole.stop = () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy()
      server.close(() => resolve())
    })
  return hole
}
