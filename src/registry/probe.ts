// The live push probe (research ghcr-failure-modes §2, §7 step 6): with the shared anonymous
// challenge, ask the token service for a pull,push token with the credential, then start a blob
// upload. A 202 proves the push would be accepted; the registry's refusal carries the same
// message a real push would print. The empty session publishes nothing; a best-effort DELETE
// cancels it where the registry allows (ghcr answers 405, distribution wants the delete action).
//
// Credentials go only to the registry's own origin and to a token service on the same host, or
// on a host the registry is known to use (contracts §4). Anything that proves nothing (5xx, 429,
// timeouts, HTML, truncated or unknown bodies, refused redirects) is inconclusive: never allowed,
// never denied.

import type { HttpClient, HttpResponse } from '../http/types.js'
import { HttpFailure } from '../http/types.js'
import { trimBase } from './challenge.js'
import { looksLikeHtml, parseRegistryError, sanitiseMessage } from './registry-answer.js'
import type { Challenge, ProbeOutcome } from './types.js'
import { parseWwwAuthenticate } from './www-authenticate.js'

export interface ProbePushOptions {
  http: HttpClient
  /** Where the registry is reached, e.g. https://ghcr.io or the GHCR_PREFLIGHT_REGISTRY_URL seam. */
  baseUrl: string
  /** The registry host as configured, e.g. ghcr.io. */
  registryHost: string
  /** Path after the host, lower-case, e.g. acme/app. */
  repository: string
  username: string
  password: string
  challenge: Promise<Challenge>
  /** Called with every derived secret (token, Basic value) before it is sent anywhere. */
  onSecret?: (secret: string) => void
}

/** Token-service hosts a registry is known to use besides its own (contracts §4). */
const KNOWN_REALM_HOSTS: Record<string, readonly string[]> = {
  'ghcr.io': ['ghcr.io'],
}

const CLEANUP_TIMEOUT_MS = 3000

/** Registries known to answer DELETE of an upload session with 405. */
const CANCEL_UNSUPPORTED = new Set(['ghcr.io'])

// distribution's repository name grammar: it also keeps '..', '?' and '#' out of the URL path.
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*'
const REPOSITORY_NAME = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`)

export async function probePush(opts: ProbePushOptions): Promise<ProbeOutcome> {
  const base = trimBase(opts.baseUrl)
  const baseUrl = new URL(`${base}/`)
  const basic = Buffer.from(`${opts.username}:${opts.password}`, 'utf8').toString('base64')
  const secrets = [opts.password, basic, Buffer.from(opts.password, 'utf8').toString('base64')]
  opts.onSecret?.(basic)

  if (!REPOSITORY_NAME.test(opts.repository)) {
    return {
      verdict: 'inconclusive',
      step: 'upload',
      reason: `"${opts.repository.slice(0, 100)}" is not a valid lower-case repository name, so it was not probed`,
      roundTrips: 0,
    }
  }

  const challenge = await opts.challenge
  let roundTrips = 1
  if (challenge.kind === 'failed') {
    return withStatus(
      { verdict: 'inconclusive', step: 'challenge', reason: challenge.reason, roundTrips },
      challenge.status,
    )
  }
  if (opts.password === '') {
    return {
      verdict: 'inconclusive',
      step: 'token',
      reason: 'the credential is empty, so there was nothing to probe with',
      roundTrips,
    }
  }

  let authorization: string | undefined
  if (challenge.kind === 'basic') authorization = `Basic ${basic}`
  if (challenge.kind === 'bearer') {
    const realmHost = foreignRealmHost(challenge.realm, baseUrl, opts.registryHost)
    if (realmHost) {
      return {
        verdict: 'inconclusive',
        step: 'token',
        reason: `the registry's token service is on another host (${realmHost}); credentials were not sent`,
        roundTrips,
      }
    }
    const token = await requestToken(opts, challenge, basic, secrets)
    roundTrips++
    if ('verdict' in token) return { ...token, roundTrips }
    authorization = `Bearer ${token.token}`
  }

  const uploadUrl = `${base}/v2/${opts.repository}/blobs/uploads/`
  let res: HttpResponse
  try {
    // Retrying is safe: a second empty session is as harmless as the first.
    res = await opts.http.request({
      method: 'POST',
      url: uploadUrl,
      headers: authorization ? { authorization } : {},
      body: '',
      retry: true,
    })
  } catch (err) {
    roundTrips++
    return { ...failureOutcome(err, 'upload', 'starting an upload'), roundTrips }
  }
  roundTrips++
  const outcome: ProbeOutcome = { ...readUploadAnswer(res, secrets), roundTrips }
  if (!authorization && (outcome.verdict === 'denied' || outcome.verdict === 'unauthorized')) {
    // /v2/ asked for no login, so the upload went without credentials: its refusal says
    // nothing about the credential (a proxy answering /v2/, or a registry that challenges late).
    return {
      verdict: 'inconclusive',
      step: 'upload',
      ...(outcome.status !== undefined ? { status: outcome.status } : {}),
      reason: `GET /v2/ asked for no login, but the registry refused the upload with ${outcome.status}; no credentials were sent, so nothing was proven about them`,
      roundTrips,
    }
  }
  if (outcome.verdict === 'allowed') {
    // ghcr.io refuses to cancel upload sessions (405) and expires them itself (research §2.3):
    // asking would only add a round trip to every run.
    outcome.cleanup = CANCEL_UNSUPPORTED.has(opts.registryHost.toLowerCase())
      ? 'skipped'
      : await cancelUpload(opts.http, res, baseUrl, authorization)
  }
  return outcome
}

/** The realm's host when credentials may not go there (contracts §4), else undefined. */
function foreignRealmHost(realm: string, baseUrl: URL, registryHost: string): string | undefined {
  const url = new URL(realm)
  const host = url.hostname.toLowerCase()
  const known = KNOWN_REALM_HOSTS[registryHost.toLowerCase()] ?? []
  return host === baseUrl.hostname.toLowerCase() || known.includes(host) ? undefined : url.host
}

type TokenResult = { token: string } | Omit<ProbeOutcome, 'roundTrips'>

async function requestToken(
  opts: ProbePushOptions,
  challenge: Extract<Challenge, { kind: 'bearer' }>,
  basic: string,
  secrets: string[],
): Promise<TokenResult> {
  const realm = new URL(challenge.realm)
  if (challenge.service) realm.searchParams.set('service', challenge.service)
  // Our own scope, never the challenge's: ghcr's /v2/ challenge carries a placeholder scope.
  realm.searchParams.set('scope', `repository:${opts.repository}:pull,push`)

  let res: HttpResponse
  try {
    res = await opts.http.request({
      method: 'GET',
      url: realm.toString(),
      headers: { authorization: `Basic ${basic}` },
    })
  } catch (err) {
    return failureOutcome(err, 'token', 'asking the token service')
  }
  const status = res.status
  if (status === 200) {
    let parsed: { token?: unknown; access_token?: unknown } | null = null
    try {
      parsed = JSON.parse(res.body)
    } catch {
      // handled below
    }
    const token =
      typeof parsed?.token === 'string' && parsed.token
        ? parsed.token
        : typeof parsed?.access_token === 'string'
          ? parsed.access_token
          : ''
    if (token) {
      // Before anything else: ghcr's token can be the credential's base64.
      opts.onSecret?.(token)
      secrets.push(token)
      return { token }
    }
    return {
      verdict: 'inconclusive',
      step: 'token',
      status,
      reason: res.truncated
        ? 'the token service answered 200 with a body too large to read'
        : 'the token service answered 200 without a token',
    }
  }
  if (status === 401 || status === 403) {
    if (res.truncated || looksLikeHtml(res.headers, res.body)) {
      const what = res.truncated ? 'a body too large to read' : 'an HTML page'
      return {
        verdict: 'inconclusive',
        step: 'token',
        status,
        reason: `the token service answered ${status} with ${what}, not a registry answer (a proxy or firewall?)`,
      }
    }
    if (res.body.trim() !== '' && !isJson(res.body)) {
      // A token service refuses in JSON (or with no body); anything else is a broken answer.
      return {
        verdict: 'inconclusive',
        step: 'token',
        status,
        reason: `the token service answered ${status} with a body that is not JSON, so it is not a readable refusal`,
      }
    }
    // ghcr hands a token to any credential it can authenticate, so a refusal here means the
    // credential itself is bad (expired, revoked, wrong).
    return { verdict: 'unauthorized', step: 'token', status, ...errorFields(res.body, secrets) }
  }
  return {
    verdict: 'inconclusive',
    step: 'token',
    status,
    reason: `the token service answered ${status}${busy(status)}; nothing was proven`,
  }
}

/** Maps the upload-start answer to a verdict. Exported for table tests. */
export function readUploadAnswer(
  res: HttpResponse,
  secrets: readonly string[] = [],
): Omit<ProbeOutcome, 'roundTrips'> {
  const status = res.status
  const step = 'upload' as const
  if (status === 202) return { verdict: 'allowed', step, status }
  if (status !== 401 && status !== 403) {
    return {
      verdict: 'inconclusive',
      step,
      status,
      reason: `the registry answered ${status}${busy(status)} when asked to start an upload; nothing was proven`,
    }
  }
  if (res.truncated) {
    return {
      verdict: 'inconclusive',
      step,
      status,
      reason: `the registry answered ${status} with a body too large to read`,
    }
  }
  const fields = errorFields(res.body, secrets)
  const registryError = parseRegistryError(res.body)
  const challenges = parseWwwAuthenticate(res.headers['www-authenticate'] ?? '')
  const badCredential = /unauthenticated|invalid[ _]token/i.test(registryError?.message ?? '')

  if (status === 401) {
    // distribution answers 401 insufficient_scope where ghcr answers 403 DENIED: both mean
    // "authenticated, may not push".
    if (challenges.some((c) => c.params.error === 'insufficient_scope')) {
      return { verdict: 'denied', step, status, ...fields }
    }
    if (registryError || challenges.length > 0) {
      return { verdict: 'unauthorized', step, status, ...fields }
    }
  } else if (registryError) {
    // ghcr: 403 with no challenge; the body says which refusal it is.
    return { verdict: badCredential ? 'unauthorized' : 'denied', step, status, ...fields }
  }
  return {
    verdict: 'inconclusive',
    step,
    status,
    reason: looksLikeHtml(res.headers, res.body)
      ? `the registry answered ${status} with an HTML page, not a registry answer (a proxy, firewall or mistyped host?)`
      : `the registry answered ${status} without a registry error body`,
  }
}

async function cancelUpload(
  http: HttpClient,
  res: HttpResponse,
  baseUrl: URL,
  authorization: string | undefined,
): Promise<number | 'skipped'> {
  const location = res.headers.location
  if (!location) return 'skipped'
  let target: URL
  try {
    // Location may be absolute or relative (distribution's relativeurls); both occur.
    target = new URL(location, res.url)
  } catch {
    return 'skipped'
  }
  // Credentials never leave the registry's origin.
  if (target.origin !== baseUrl.origin) return 'skipped'
  try {
    const answer = await http.request({
      method: 'DELETE',
      url: target.toString(),
      headers: authorization ? { authorization } : {},
      retry: false,
      timeoutMs: CLEANUP_TIMEOUT_MS,
    })
    return answer.status
  } catch {
    return 'skipped'
  }
}

function errorFields(
  body: string,
  secrets: readonly string[],
): { code?: string; message?: string } {
  const err = parseRegistryError(body)
  const out: { code?: string; message?: string } = {}
  if (err?.code) out.code = sanitiseMessage(err.code, secrets).slice(0, 64)
  if (err?.message) out.message = sanitiseMessage(err.message, secrets)
  return out
}

function failureOutcome(
  err: unknown,
  step: 'token' | 'upload',
  doing: string,
): Omit<ProbeOutcome, 'roundTrips'> {
  if (!(err instanceof HttpFailure)) throw err
  const why: Record<HttpFailure['kind'], string> = {
    timeout: 'the request timed out',
    deadline: 'the preflight deadline ran out',
    network: 'the host could not be reached',
    'insecure-url': 'the URL is not allowed',
    'redirect-refused': 'the answer was a redirect that was not followed',
    'too-large': 'the answer was too large',
  }
  return {
    verdict: 'inconclusive',
    step,
    reason: `${why[err.kind]} while ${doing} (${err.message})`,
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

function busy(status: number): string {
  if (status === 429) return ' (rate limited)'
  if (status >= 500) return ' (the registry is failing or overloaded)'
  return ''
}

function withStatus(outcome: ProbeOutcome, status: number | undefined): ProbeOutcome {
  if (status !== undefined) outcome.status = status
  return outcome
}
