import { afterEach, describe, expect, it } from '@jest/globals'
import { createHttpClient, retryWaitMs, type HttpClientOptions } from '../../src/http/client.js'
import { Deadline } from '../../src/http/deadline.js'
import { HttpFailure, type HttpRequest } from '../../src/http/types.js'
import { isLoopbackHost, redactUrl } from '../../src/http/url-safety.js'
import { closedPort, reply, startServer, type TestServer } from './support/test-server.js'

const servers: TestServer[] = []
async function server(...args: Parameters<typeof startServer>): Promise<TestServer> {
  const s = await startServer(...args)
  servers.push(s)
  return s
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

function client(overrides: Partial<HttpClientOptions> = {}) {
  const sleeps: number[] = []
  const http = createHttpClient({
    deadline: new Deadline(20_000),
    timeoutMs: 2000,
    sleep: async (ms) => {
      sleeps.push(ms)
    },
    ...overrides,
  })
  return { http, sleeps }
}

async function failure(p: Promise<unknown>): Promise<HttpFailure> {
  try {
    await p
  } catch (err) {
    if (err instanceof HttpFailure) return err
    throw err
  }
  throw new Error('expected an HttpFailure')
}

describe('timeouts and the deadline', () => {
  it('times out an attempt that gets no response', async () => {
    // Baseline in the same test: how long waiting for an answer 120 ms late takes on this
    // machine now (with a budget far beyond it, so load cannot turn it into a timeout).
    const late = await server((_req, res) => void setTimeout(() => reply(res, 200, 'ok'), 120))
    const patient = client({ timeoutMs: 10_000, retries: 0 }).http
    let started = performance.now()
    expect((await patient.request({ method: 'GET', url: `${late.url}/v2/` })).status).toBe(200)
    const baselineMs = performance.now() - started

    const s = await server(() => undefined) // never answers
    const { http } = client({ timeoutMs: 150, retries: 0 })
    started = performance.now()
    const f = await failure(http.request({ method: 'GET', url: `${s.url}/v2/` }))
    expect(f.kind).toBe('timeout')
    // Given up near its 150 ms budget, about as long as the 120 ms answer took (a loaded machine
    // stretches both alike), not after the 2 s default or never.
    expect(performance.now() - started).toBeLessThanOrEqual(3 * baselineMs)
  })

  it('times out a body that stalls after the headers', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"token":"') // and never finish
    })
    const { http } = client({ timeoutMs: 200, retries: 0 })
    const f = await failure(http.request({ method: 'GET', url: `${s.url}/token` }))
    expect(f.kind).toBe('timeout')
  })

  it('reports the deadline, not a timeout, when the run deadline cuts the attempt', async () => {
    const s = await server(() => undefined)
    const { http } = client({ deadline: new Deadline(150), timeoutMs: 10_000, retries: 2 })
    const f = await failure(http.request({ method: 'GET', url: `${s.url}/v2/` }))
    expect(f.kind).toBe('deadline')
  })

  it('sends nothing once the deadline is spent', async () => {
    const s = await server((_req, res) => reply(res, 200))
    const { http } = client({ deadline: new Deadline(0) })
    const f = await failure(http.request({ method: 'GET', url: `${s.url}/v2/` }))
    expect(f.kind).toBe('deadline')
    expect(s.requests).toHaveLength(0)
    expect(http.attempts).toBe(0)
  })
})

describe('retries', () => {
  it.each([429, 502, 503, 504])('retries %i then returns the 200', async (status) => {
    const s = await server((_req, res, _b, i) =>
      i === 0 ? reply(res, status) : reply(res, 200, 'ok'),
    )
    const { http, sleeps } = client({ random: () => 0.5 })
    const res = await http.request({ method: 'GET', url: `${s.url}/v2/` })
    expect(res.status).toBe(200)
    expect(res.body).toBe('ok')
    expect(http.attempts).toBe(2)
    expect(s.requests).toHaveLength(2)
    expect(sleeps).toHaveLength(1)
  })

  it('honours Retry-After in seconds', async () => {
    const s = await server((_req, res, _b, i) =>
      i === 0 ? reply(res, 503, '', { 'retry-after': '3' }) : reply(res, 200),
    )
    const { http, sleeps } = client()
    expect((await http.request({ method: 'GET', url: `${s.url}/` })).status).toBe(200)
    expect(sleeps).toEqual([3000])
  })

  it('honours Retry-After as an HTTP date', async () => {
    const at = new Date(Date.now() + 4000).toUTCString()
    const s = await server((_req, res, _b, i) =>
      i === 0 ? reply(res, 429, '', { 'retry-after': at }) : reply(res, 200),
    )
    const { http, sleeps } = client()
    expect((await http.request({ method: 'GET', url: `${s.url}/` })).status).toBe(200)
    expect(sleeps).toHaveLength(1)
    expect(sleeps[0]).toBeGreaterThan(2000)
    expect(sleeps[0]).toBeLessThanOrEqual(4000)
  })

  it('really waits a short Retry-After with the default sleep', async () => {
    const s = await server((_req, res, _b, i) =>
      i === 0 ? reply(res, 503, '', { 'retry-after': '1' }) : reply(res, 200),
    )
    const http = createHttpClient({ deadline: new Deadline(10_000) })
    const started = Date.now()
    expect((await http.request({ method: 'GET', url: `${s.url}/` })).status).toBe(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(950)
  })

  it('returns the last answer instead of sleeping past the deadline', async () => {
    const s = await server((_req, res) => reply(res, 503, 'busy', { 'retry-after': '60' }))
    const { http, sleeps } = client({ deadline: new Deadline(5000) })
    const res = await http.request({ method: 'GET', url: `${s.url}/` })
    expect(res.status).toBe(503)
    expect(sleeps).toEqual([])
    expect(s.requests).toHaveLength(1)
  })

  it('gives back the last answer when the deadline is spent after the wait', async () => {
    let clock = 0
    const s = await server((_req, res) => reply(res, 503, 'busy', { 'retry-after': '1' }))
    const http = createHttpClient({
      deadline: new Deadline(1500, () => clock),
      sleep: async (ms) => {
        clock += ms + 1000 // the wait overran
      },
    })
    const res = await http.request({ method: 'GET', url: `${s.url}/` })
    expect(res).toMatchObject({ status: 503, body: 'busy' })
    expect(s.requests).toHaveLength(1)
  })

  it('stops after the configured number of retries', async () => {
    const s = await server((_req, res) => reply(res, 502))
    const { http, sleeps } = client({ retries: 2 })
    expect((await http.request({ method: 'GET', url: `${s.url}/` })).status).toBe(502)
    expect(s.requests).toHaveLength(3)
    expect(sleeps).toHaveLength(2)
    expect(sleeps[1]).toBeGreaterThan(sleeps[0] / 2) // backoff grows (jitter aside)
  })

  it.each<[string, Partial<HttpRequest>, number]>([
    ['POST by default', { method: 'POST' }, 1],
    ['GET with retry: false', { method: 'GET', retry: false }, 1],
    ['POST with retry: true', { method: 'POST', retry: true }, 3],
  ])('%s', async (_name, req, expected) => {
    const s = await server((_req, res) => reply(res, 503))
    const { http } = client()
    const res = await http.request({ method: 'GET', url: `${s.url}/`, ...req })
    expect(res.status).toBe(503)
    expect(s.requests).toHaveLength(expected)
  })

  it('retries connection errors and then fails as network', async () => {
    const port = await closedPort()
    const { http, sleeps } = client({ retries: 2 })
    const f = await failure(
      http.request({
        method: 'GET',
        url: `http://127.0.0.1:${port}/token?scope=x&password=hunter2`,
      }),
    )
    expect(f.kind).toBe('network')
    expect(f.message).toContain('connection refused')
    expect(f.message).not.toContain('hunter2')
    expect(f.url).not.toContain('hunter2')
    expect(http.attempts).toBe(3)
    expect(sleeps).toHaveLength(2)
  })

  it.each([
    [undefined, 1, 0, 125],
    [undefined, 1, 0.999, 250],
    [undefined, 3, 0, 500],
    [undefined, 10, 0.999, 5000],
    ['7', 1, 0.5, 7000],
    ['  2 ', 1, 0.5, 2000],
    ['Thu, 01 Jan 1970 00:00:00 GMT', 1, 0.5, 0],
  ])('retryWaitMs(%p, attempt %i, random %p) = %i', (header, attempt, r, expected) => {
    expect(retryWaitMs(header, attempt, () => r)).toBeCloseTo(expected, -1)
  })
})

describe('redirects', () => {
  it('refuses a redirect to another host, names only that host, and sends it nothing', async () => {
    const other = await server((_req, res) => reply(res, 200), '127.0.0.2')
    const s = await server((_req, res) =>
      reply(res, 307, '', { location: `${other.url}/steal?token=sekrit` }),
    )
    const { http } = client()
    const f = await failure(
      http.request({
        method: 'GET',
        url: `${s.url}/v2/`,
        headers: { authorization: 'Bearer abc123' },
      }),
    )
    expect(f.kind).toBe('redirect-refused')
    expect(f.message).toContain(`127.0.0.2:${other.port}`)
    expect(f.message).not.toMatch(/steal|sekrit|abc123/)
    expect(other.requests).toHaveLength(0)
  })

  it('refuses a redirect to the same host on another port (another origin)', async () => {
    const other = await server((_req, res) => reply(res, 200))
    const s = await server((_req, res) => reply(res, 302, '', { location: `${other.url}/` }))
    const f = await failure(client().http.request({ method: 'GET', url: `${s.url}/` }))
    expect(f.kind).toBe('redirect-refused')
    expect(other.requests).toHaveLength(0)
  })

  it('follows a same-origin redirect and reports the final URL', async () => {
    const s = await server((req, res) =>
      req.url === '/start'
        ? reply(res, 302, '', { location: '/final?x=1' })
        : reply(res, 200, 'here'),
    )
    const { http } = client()
    const res = await http.request({
      method: 'GET',
      url: `${s.url}/start`,
      headers: { authorization: 'Basic x' },
    })
    expect(res.status).toBe(200)
    expect(res.body).toBe('here')
    expect(res.url).toBe(`${s.url}/final?x=1`)
    expect(s.requests.map((r) => r.url)).toEqual(['/start', '/final?x=1'])
    expect(s.requests[1].headers.authorization).toBe('Basic x')
  })

  it('keeps method and body across a same-origin 307', async () => {
    const s = await server((req, res) =>
      req.url === '/a' ? reply(res, 307, '', { location: '/b' }) : reply(res, 202),
    )
    const res = await client().http.request({ method: 'POST', url: `${s.url}/a`, body: 'payload' })
    expect(res.status).toBe(202)
    expect(s.requests.map((r) => [r.method, r.body])).toEqual([
      ['POST', 'payload'],
      ['POST', 'payload'],
    ])
  })

  it('gives up after 3 same-origin redirects', async () => {
    const s = await server((req, res) =>
      reply(res, 302, '', { location: `/r${s.requests.length}` }),
    )
    const f = await failure(
      client().http.request({ method: 'GET', url: `${s.url}/r0`, retry: false }),
    )
    expect(f.kind).toBe('redirect-refused')
    expect(s.requests).toHaveLength(4)
  })
})

describe('URL safety', () => {
  it.each([
    ['http://example.com/v2/', 'insecure-url'],
    ['http://10.0.0.1:5000/v2/', 'insecure-url'],
    ['ftp://ghcr.io/v2/', 'insecure-url'],
    ['https://user:pass@ghcr.io/v2/', 'insecure-url'],
    ['not a url', 'insecure-url'],
  ])('refuses %s before sending a byte', async (url, kind) => {
    const called: string[] = []
    const http = createHttpClient({
      deadline: new Deadline(5000),
      fetch: async (input) => {
        called.push(String(input))
        return new Response('')
      },
    })
    const f = await failure(http.request({ method: 'GET', url }))
    expect(f.kind).toBe(kind)
    expect(f.message).not.toContain('pass')
    expect(called).toEqual([])
    expect(http.attempts).toBe(0)
  })

  it('allows plain http to loopback', async () => {
    const s = await server((_req, res) => reply(res, 200, 'ok'))
    const res = await client().http.request({ method: 'GET', url: `http://localhost:${s.port}/` })
    expect(res.status).toBe(200)
  })

  it.each([
    ['127.0.0.1', true],
    ['127.9.8.7', true],
    ['localhost', true],
    ['LOCALHOST', true],
    ['[::1]', true],
    ['128.0.0.1', false],
    ['127.0.0.1.nip.io', false],
    ['localhost.example.com', false],
    ['ghcr.io', false],
  ])('isLoopbackHost(%s) = %p', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected)
  })

  it('redacts query, fragment and credentials from URLs in messages', () => {
    expect(redactUrl('https://u:p@ghcr.io/token?scope=x&secret=y#f')).toBe('https://ghcr.io/token')
  })
})

describe('bodies and headers', () => {
  it('reads at most maxBodyBytes of a huge body and marks it truncated', async () => {
    const chunk = 'x'.repeat(64 * 1024)
    const s = await server((_req, res) => {
      res.writeHead(200)
      for (let i = 0; i < 64; i++) res.write(chunk) // 4 MiB
      res.end()
    })
    const { http } = client({ maxBodyBytes: 100_000 })
    const res = await http.request({ method: 'GET', url: `${s.url}/` })
    expect(res.truncated).toBe(true)
    expect(res.body).toHaveLength(100_000)
  })

  it('returns a small body whole, with lower-cased headers', async () => {
    const s = await server((_req, res) => {
      res.setHeader('WWW-Authenticate', ['Bearer realm="a"', 'Basic realm="b"'])
      res.setHeader('X-Thing', 'Yes')
      res.writeHead(401)
      res.end('{"errors":[]}')
    })
    const res = await client().http.request({ method: 'GET', url: `${s.url}/` })
    expect(res).toMatchObject({ status: 401, body: '{"errors":[]}', truncated: false })
    expect(res.headers['x-thing']).toBe('Yes')
    expect(res.headers['www-authenticate']).toBe('Bearer realm="a", Basic realm="b"')
  })
})
