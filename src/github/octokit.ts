// octokit (@actions/github's getOctokit) for the REST calls, with the project's HttpClient as its
// fetch: octokit builds each request (endpoint, parameters, headers, the token) and our client
// sends it under contracts §4 (https only except loopback, same-origin redirects, per-attempt
// timeouts under the run's deadline, bounded bodies, Retry-After). @actions/github adds no retry
// or throttling plugin, so our client's retry policy is the only one.
//
// Start-up: @actions/github loads octokit, @actions/http-client and undici. It is imported on the
// first REST call, so a run that makes none (probe: false, no fallback) never evaluates it.

import type { getOctokit } from '@actions/github'
import type { HttpClient, HttpMethod, HttpResponse } from '../http/types.js'

export type Octokit = ReturnType<typeof getOctokit>

/** What every call passes to octokit: the API headers and the fetch that sends this request. */
export type CallParams = {
  headers: Record<string, string>
  request: { fetch: typeof fetch }
}

/** One REST call, e.g. `(octokit, params) => octokit.rest.users.getAuthenticated(params)`. */
export type RestCall = (octokit: Octokit, params: CallParams) => Promise<unknown>

/** The answer as our client read it (whatever its status), or why there was none. */
export type Sent = { answer: HttpResponse } | { error: unknown }

const USER_AGENT = 'ghcr-preflight'
const API_HEADERS = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' }
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304])

/** octokit's log, quiet: its only messages are endpoint deprecation notices. */
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }

export function createRestTransport(o: {
  baseUrl: string
  http: HttpClient
  timeoutMs?: number
}): (call: RestCall, token: string) => Promise<Sent> {
  const clients = new Map<string, Promise<Octokit>>()
  const octokitFor = (token: string): Promise<Octokit> => {
    let client = clients.get(token)
    if (!client) {
      client = createOctokit(o.baseUrl, token)
      clients.set(token, client)
    }
    return client
  }

  return async (call, token) => {
    let answer: HttpResponse | undefined
    // A fetch per call, so the answer our client read is at hand whatever octokit makes of it.
    const viaOurClient = async (input: unknown, init?: RequestInit): Promise<Response> => {
      answer = await o.http.request({
        method: (init?.method ?? 'GET').toUpperCase() as HttpMethod,
        url: String(input),
        headers: plainHeaders(init?.headers),
        ...(init?.body != null ? { body: String(init.body) } : {}),
        ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      })
      return asFetchResponse(answer, init?.method)
    }
    try {
      const octokit = await octokitFor(token)
      await call(octokit, {
        headers: API_HEADERS,
        request: { fetch: viaOurClient as typeof fetch },
      })
    } catch (error) {
      // octokit throws RequestError for a status >= 400, and a TypeError for a body it cannot
      // read (a malformed Content-Type): the answer is in hand either way.
      if (!answer) return { error }
    }
    return { answer: answer! }
  }
}

async function createOctokit(baseUrl: string, token: string): Promise<Octokit> {
  const { getOctokit } = await import('@actions/github')
  return getOctokit(token, {
    // getOctokit insists on a token or an `auth`; bearerAuth below is what sends the token.
    ...(token ? {} : { auth: 'anonymous' }),
    baseUrl,
    userAgent: USER_AGENT,
    authStrategy: bearerAuth(token),
    log: quiet,
    request: {
      fetch: refuse,
      // Bodies are read by our client and classified by the caller (an HTML page, a cut-off
      // body); octokit hands success answers back unparsed.
      parseSuccessResponseBody: false,
    },
  })
}

/**
 * `Authorization: Bearer <token>` on every request, nothing without a token: GitHub's documented
 * scheme, and the one place the token is put on a request.
 */
function bearerAuth(token: string) {
  return () =>
    Object.assign(async () => ({ type: token ? 'token' : 'unauthenticated' }), {
      hook: async (
        request: Octokit['request'],
        route: Parameters<Octokit['request']>[0],
        parameters?: Parameters<Octokit['request']>[1],
      ) => {
        const endpoint = request.endpoint.merge(route as string, parameters)
        if (token) endpoint.headers.authorization = `Bearer ${token}`
        return request(endpoint as typeof endpoint & { url: string })
      },
    })
}

/** Every call brings its own fetch (CallParams); a request without one must not go anywhere. */
async function refuse(): Promise<Response> {
  throw new Error('internal: a REST call was made without the HttpClient')
}

function plainHeaders(headers: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {}
  if (!headers) return out
  const entries: Iterable<[string, string]> =
    Array.isArray(headers) || typeof (headers as Headers).entries === 'function'
      ? (headers as Iterable<[string, string]>)
      : Object.entries(headers as Record<string, string>)
  for (const [name, value] of entries) out[name.toLowerCase()] = String(value)
  return out
}

function asFetchResponse(answer: HttpResponse, method: string | undefined): Response {
  const noBody = NULL_BODY_STATUSES.has(answer.status) || method?.toUpperCase() === 'HEAD'
  return new Response(noBody ? null : answer.body, {
    status: answer.status,
    headers: answer.headers,
  })
}
