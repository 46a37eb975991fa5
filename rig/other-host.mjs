// A loopback server on a different host (127.0.0.2) that stands for "somewhere else": the
// redirect-other-host and realm-other-host faults point clients at it. It answers like a
// happy registry so a client that follows would be fooled, and logs whether credentials came
// along (never their value) so tests can assert they did not.
import { createServer } from 'node:http'

/**
 * @param {(entry: import('./ghcr-emulator.mjs').LogEntry) => void} record
 * @returns {Promise<{ url: string, stop: () => Promise<void> }>}
 */
export async function startOtherHost(record) {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    let status = 200
    if (path === '/token') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ token: 'b3RoZXItaG9zdA==' }))
    } else if (req.method === 'POST') {
      status = 202
      res.writeHead(202, { location: `${path}other-host-upload`, 'content-length': '0' })
      res.end()
    } else {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{}')
    }
    req.resume()
    record({
      server: 'other-host',
      method: req.method ?? '',
      path,
      status,
      credential: req.headers.authorization ? 'sent' : 'none',
    })
  })
  return listenOnOtherLoopback(server)
}

/**
 * Listens on a loopback address other than 127.0.0.1, so that it is another host to a client:
 * any 127/8 address is loopback on Linux; ::1 where 127.0.0.2 is not routable.
 * @param {import('node:http').Server} server
 * @returns {Promise<{ url: string, stop: () => Promise<void> }>}
 */
export async function listenOnOtherLoopback(server) {
  const host = await new Promise((resolve) => {
    server.once('error', () => server.listen(0, '::1', () => resolve('[::1]')))
    server.listen(0, '127.0.0.2', () => resolve('127.0.0.2'))
  })
  const addr = server.address()
  const port = typeof addr === 'object' && addr ? addr.port : 0
  return {
    url: `http://${host}:${port}`,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve(undefined))
        server.closeAllConnections()
      }),
  }
}
