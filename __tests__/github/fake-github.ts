// A throwaway GitHub REST API on 127.0.0.1 for tests: real header names, statuses and JSON
// shapes (as documented and as seen in the research's cited reports), an HTML 502 page, a
// hanging endpoint, and a record of every request with how many were in flight at once.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createHttpClient } from '../../src/http/client.js'
import { Deadline } from '../../src/http/deadline.js'
import type { HttpClient } from '../../src/http/types.js'

export interface Reply {
  status: number
  headers?: Record<string, string>
  body?: string
}

export type Handler = (req: IncomingMessage, url: URL) => Reply | 'hang' | Promise<Reply | 'hang'>

export interface Recorded {
  method: string
  path: string
  headers: IncomingMessage['headers']
  /** Requests in flight (including this one) when it arrived. */
  inFlightOnArrival: number
}

const DOCS = 'https://docs.github.com/rest'

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'X-GitHub-Media-Type': 'github.v3; format=json',
      'X-RateLimit-Limit': '5000',
      'X-RateLimit-Remaining': '4999',
      ...headers,
    },
    body: JSON.stringify(body),
  }
}

/** GitHub's error body: message, documentation_url and (since 2023) status as a string. */
export function ghError(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): Reply {
  return json(status, { message, documentation_url: DOCS, status: String(status) }, headers)
}

export const BAD_CREDENTIALS = (): Reply => ghError(401, 'Bad credentials')

/** The unicorn page GitHub's front end serves when the API is down. */
export function unicorn502(): Reply {
  return {
    status: 502,
    headers: { 'Content-Type': 'text/html; charset=utf-8' },
    body:
      '<!DOCTYPE html>\n<html>\n  <head>\n    <meta http-equiv="Content-type" content="text/html; charset=utf-8">\n' +
      '    <title>Unicorn! &middot; GitHub</title>\n  </head>\n  <body>\n    <p>No server is currently available to service your request.</p>\n  </body>\n</html>\n',
  }
}

export function rateLimitBody(): unknown {
  const reset = Math.floor(Date.now() / 1000) + 3600
  const core = { limit: 5000, used: 1, remaining: 4999, reset }
  return { resources: { core, search: { limit: 30, used: 0, remaining: 30, reset } }, rate: core }
}

export class FakeGitHub {
  readonly requests: Recorded[] = []
  private readonly routes: { method: string; path: string | RegExp; handler: Handler }[] = []
  private server?: Server
  private inFlight = 0
  private readonly hanging: ServerResponse[] = []
  maxInFlight = 0
  url = ''

  route(method: string, path: string | RegExp, handler: Handler): this {
    this.routes.unshift({ method, path, handler })
    return this
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res))
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve))
    const { port } = this.server.address() as AddressInfo
    this.url = `http://127.0.0.1:${port}`
    return this
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy()
    this.server?.closeAllConnections()
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve())
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    this.inFlight++
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname + url.search,
      headers: req.headers,
      inFlightOnArrival: this.inFlight,
    })
    const route = this.routes.find(
      (r) =>
        r.method === req.method &&
        (typeof r.path === 'string' ? r.path === url.pathname : r.path.test(url.pathname)),
    )
    let reply: Reply | 'hang'
    try {
      reply = route ? await route.handler(req, url) : ghError(404, 'Not Found')
    } catch (e) {
      reply = ghError(500, `fake server error: ${(e as Error).message}`)
    }
    if (reply === 'hang') {
      this.hanging.push(res)
      res.on('close', () => this.inFlight--)
      return
    }
    res.on('finish', () => this.inFlight--)
    res.writeHead(reply.status, reply.headers ?? {})
    res.end(reply.body ?? '')
  }
}

/** The project's real HTTP client, with retries off (or instant) so tests stay fast. */
export function testHttpClient(opts: { timeoutMs?: number; retries?: number } = {}): HttpClient {
  return createHttpClient({
    deadline: new Deadline(30_000),
    timeoutMs: opts.timeoutMs ?? 5_000,
    retries: opts.retries ?? 0,
    sleep: async () => undefined,
  })
}

/** Resolves when `count` calls have arrived, or after `ms` (then the callers were not concurrent). */
export function barrier(count: number, ms = 1500): () => Promise<void> {
  let arrived = 0
  let release!: () => void
  const all = new Promise<void>((resolve) => {
    release = resolve
  })
  const timer = setTimeout(() => release(), ms)
  return async () => {
    arrived++
    if (arrived >= count) {
      clearTimeout(timer)
      release()
    }
    await all
  }
}
