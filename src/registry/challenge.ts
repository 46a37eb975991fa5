// Step 1 of the push probe: an anonymous GET <base>/v2/ tells how the registry wants to be
// authenticated. It is asked once per registry per run and the answer is shared by every image
// and credential, so it costs one round trip in total.

import type { HttpClient } from '../http/types.js'
import { HttpFailure } from '../http/types.js'
import { looksLikeHtml } from './registry-answer.js'
import type { Challenge } from './types.js'
import { parseWwwAuthenticate } from './www-authenticate.js'

export async function fetchChallenge(http: HttpClient, baseUrl: string): Promise<Challenge> {
  const base = trimBase(baseUrl)
  let res
  try {
    // No credentials here, ever: ghcr answers a credentialed /v2/ with 403 and no challenge.
    res = await http.request({ method: 'GET', url: `${base}/v2/` })
  } catch (err) {
    if (err instanceof HttpFailure) {
      const what =
        err.kind === 'timeout' || err.kind === 'deadline'
          ? 'the registry did not answer in time'
          : err.kind === 'redirect-refused'
            ? 'the registry redirected to another host, where no request was sent'
            : err.kind === 'insecure-url'
              ? 'the registry URL is not allowed'
              : 'the registry could not be reached'
      return { kind: 'failed', reason: `${what}: ${err.message}` }
    }
    throw err
  }
  if (res.status === 200) return { kind: 'none' }
  if (res.status === 401) {
    const challenges = parseWwwAuthenticate(res.headers['www-authenticate'] ?? '')
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm)
    if (bearer) {
      let realm: string
      try {
        realm = new URL(bearer.params.realm, `${base}/`).toString()
      } catch {
        return {
          kind: 'failed',
          status: 401,
          reason: 'the registry named a token service that is not a URL',
        }
      }
      const challenge: Challenge = { kind: 'bearer', realm }
      if (bearer.params.service) challenge.service = bearer.params.service
      return challenge
    }
    const basic = challenges.find((c) => c.scheme === 'basic')
    if (basic)
      return basic.params.realm ? { kind: 'basic', realm: basic.params.realm } : { kind: 'basic' }
    return {
      kind: 'failed',
      status: 401,
      reason: 'GET /v2/ answered 401 without a Bearer or Basic challenge',
    }
  }
  const why =
    res.status === 429
      ? ' (rate limited)'
      : res.status >= 500
        ? ' (the registry is busy or failing)'
        : looksLikeHtml(res.headers, res.body)
          ? ' with an HTML page (a proxy, firewall or mistyped host?)'
          : ''
  return {
    kind: 'failed',
    status: res.status,
    reason: `GET /v2/ answered ${res.status}${why}, not a registry challenge`,
  }
}

export function trimBase(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '')
}
