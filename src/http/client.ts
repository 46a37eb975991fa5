// The one HTTP client every network call goes through. It enforces contracts §4 in one place:
// https only (http:// only to loopback), no redirect to another origin, a timeout on every
// attempt that also covers reading the body, the run's deadline, bounded retries, bounded bodies,
// and error messages that never carry headers, credentials or query strings.
//
// Oversized bodies: the client reads at most maxBodyBytes, cancels the rest and returns the
// answer with truncated = true (it never throws 'too-large'). A caller that needs the body must
// treat a truncated answer as inconclusive.

import type { Deadline } from './deadline.js'
import { proxiedFetch } from './proxy.js'
import { HttpFailure, type HttpClient, type HttpRequest, type HttpResponse } from './types.js'
import { redactUrl, sameOrigin, urlProblem } from './url-safety.js'

export interface HttpClientOptions {
  deadline: Deadline
  /** Per attempt, in ms. Default 10000. */
  timeoutMs?: number
  /** Extra attempts after the first, for retryable requests. Default 2. */
  retries?: number
  /** Default 1 MiB. */
  maxBodyBytes?: number
  fetch?: typeof fetch
  sleep?: (ms: number) => Promise<void>
  /** Source of jitter in [0, 1); injectable so tests can pin it. */
  random?: () => number
}

const MAX_REDIRECTS = 3
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])
const RETRY_STATUSES = new Set([429, 502, 503, 504])
const BACKOFF_BASE_MS = 250
const BACKOFF_MAX_MS = 5000

const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms)
  })

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const deadline = options.deadline
  const perAttemptMs = options.timeoutMs ?? 10_000
  const retries = Math.max(0, options.retries ?? 2)
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024
  // An injected fetch (tests) wins; otherwise the runner's proxy settings decide per URL.
  const fetchFor = (url: URL): typeof fetch => options.fetch ?? proxiedFetch(url) ?? fetch
  const sleep = options.sleep ?? defaultSleep
  const random = options.random ?? Math.random
  let attempts = 0

  /** One attempt: the request plus same-origin redirects and the body, under one timer. */
  async function attempt(req: HttpRequest, start: URL): Promise<HttpResponse> {
    const budget = deadline.budget(req.timeoutMs ?? perAttemptMs)
    if (budget <= 0) {
      throw new HttpFailure(
        'deadline',
        `${req.method} ${redactUrl(start)}: no time left`,
        redactUrl(start),
      )
    }
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), budget)
    let url = start
    let method = req.method
    let body = req.body
    try {
      for (let hop = 0; ; hop++) {
        attempts++
        const res = await fetchFor(url)(url, {
          method,
          headers: req.headers,
          body: method === 'GET' || method === 'HEAD' ? undefined : body,
          redirect: 'manual',
          signal: controller.signal,
        })
        const location = res.headers.get('location')
        if (REDIRECT_STATUSES.has(res.status) && location !== null && req.redirect !== 'manual') {
          await res.body?.cancel().catch(() => undefined)
          let target: URL
          try {
            target = new URL(location, url)
          } catch {
            throw new HttpFailure(
              'redirect-refused',
              `${req.method} ${redactUrl(start)}: the server redirected to an invalid URL`,
              redactUrl(start),
            )
          }
          if (!sameOrigin(target, url)) {
            // Name only the host: the target's path or query may carry a signed secret.
            throw new HttpFailure(
              'redirect-refused',
              `${req.method} ${redactUrl(start)}: the server redirected to another host (${target.host}); not followed, so no credentials were sent there`,
              redactUrl(start),
            )
          }
          if (hop >= MAX_REDIRECTS) {
            throw new HttpFailure(
              'redirect-refused',
              `${req.method} ${redactUrl(start)}: more than ${MAX_REDIRECTS} redirects`,
              redactUrl(start),
            )
          }
          if (
            res.status === 303 ||
            ((res.status === 301 || res.status === 302) && method === 'POST')
          ) {
            method = 'GET'
            body = undefined
          }
          url = target
          continue
        }
        const { text, truncated } = await readBounded(res, maxBodyBytes)
        const headers: Record<string, string> = {}
        res.headers.forEach((value, name) => {
          headers[name.toLowerCase()] = value
        })
        return { status: res.status, headers, body: text, truncated, url: url.toString() }
      }
    } catch (err) {
      if (err instanceof HttpFailure) throw err
      if (controller.signal.aborted) {
        const kind = deadline.expired() ? 'deadline' : 'timeout'
        const why =
          kind === 'deadline'
            ? 'the preflight deadline ran out'
            : `no complete answer within ${budget} ms`
        throw new HttpFailure(kind, `${req.method} ${redactUrl(start)}: ${why}`, redactUrl(start))
      }
      throw new HttpFailure(
        'network',
        `${req.method} ${redactUrl(start)}: ${networkReason(err)}`,
        redactUrl(start),
      )
    } finally {
      clearTimeout(timer)
    }
  }

  async function request(req: HttpRequest): Promise<HttpResponse> {
    let start: URL
    try {
      start = new URL(req.url)
    } catch {
      throw new HttpFailure('insecure-url', `${req.method}: not a valid URL`, '(invalid URL)')
    }
    const problem = urlProblem(start)
    if (problem) {
      throw new HttpFailure(
        'insecure-url',
        `${req.method} ${redactUrl(start)}: ${problem}`,
        redactUrl(start),
      )
    }
    const retryable = req.retry ?? (req.method === 'GET' || req.method === 'HEAD')
    const maxAttempts = retryable ? retries + 1 : 1

    let last: HttpResponse | undefined
    for (let n = 1; ; n++) {
      let res: HttpResponse | undefined
      let failure: HttpFailure | undefined
      try {
        res = await attempt(req, start)
      } catch (err) {
        failure = err as HttpFailure
        // A retry that found the deadline spent still has the previous answer to give back.
        if (failure.kind === 'deadline' && last) return last
        const transient = failure.kind === 'network' || failure.kind === 'timeout'
        if (!transient || n >= maxAttempts) throw failure
      }
      last = res ?? last
      if (res && (!RETRY_STATUSES.has(res.status) || n >= maxAttempts)) return res

      const wait = retryWaitMs(res?.headers['retry-after'], n, random)
      // Never sleep past the deadline: give back the last answer (or failure) instead.
      if (wait >= deadline.remainingMs()) {
        if (res) return res
        throw failure as HttpFailure
      }
      await sleep(wait)
    }
  }

  return {
    request,
    get attempts() {
      return attempts
    },
  }
}

/** Retry-After (seconds or HTTP date) when given, else exponential backoff with jitter. */
export function retryWaitMs(
  retryAfter: string | undefined,
  attempt: number,
  random: () => number = Math.random,
  now: number = Date.now(),
): number {
  if (retryAfter !== undefined) {
    const trimmed = retryAfter.trim()
    if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
    const at = Date.parse(trimmed)
    if (!Number.isNaN(at)) return Math.max(0, at - now)
  }
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1))
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}

async function readBounded(
  res: Response,
  maxBytes: number,
): Promise<{ text: string; truncated: boolean }> {
  if (!res.body) return { text: '', truncated: false }
  const reader = res.body.getReader()
  const decoder = new TextDecoder()
  let text = ''
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    if (size + value.byteLength > maxBytes) {
      text += decoder.decode(value.subarray(0, maxBytes - size))
      await reader.cancel().catch(() => undefined)
      return { text, truncated: true }
    }
    size += value.byteLength
    text += decoder.decode(value, { stream: true })
  }
  text += decoder.decode()
  return { text, truncated: false }
}

/** A short cause from undici's error chain: the system error code, never its headers. */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown } })?.cause
  const code = typeof cause?.code === 'string' ? cause.code : undefined
  const known: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'DNS lookup failed',
    ETIMEDOUT: 'connection timed out',
    UND_ERR_SOCKET: 'connection closed',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
  }
  if (code) return `${known[code] ?? 'network error'} (${code})`
  // No code (e.g. fetch refusing a blocked port): its own one-line message says more than nothing.
  const inner = (err as { cause?: { message?: unknown } })?.cause?.message
  const own =
    typeof inner === 'string'
      ? inner
          .split('\n')[0]!
          .replace(/https?:\/\/\S+/g, '<url>')
          .slice(0, 120)
      : ''
  return own && own !== 'fetch failed' ? `network error (${own})` : 'network error'
}
