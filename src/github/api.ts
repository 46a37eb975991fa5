// The GitHub REST calls the preflight makes, as typed results. This is an I/O edge: it never
// throws for an HTTP status, and turns transport failures (HttpFailure) into 'unreachable'.
// octokit makes each call (./octokit.ts); every request goes through the injected HttpClient,
// which owns timeouts, retries and redirects, and every answer is classified here.

import { HttpFailure, type HttpClient, type HttpResponse } from '../http/types.js'
import { createRestTransport, type RestCall } from './octokit.js'
import { MAX_WORKFLOW_BYTES } from '../workflow-source/path.js'

/** The request could not be answered at all (timeout, refused, deadline, insecure URL). */
export interface Unreachable {
  kind: 'unreachable'
  reason: string
}

/** Something answered, but not like the GitHub API (HTML error page, JSON that does not parse, missing fields). */
export interface BadResponse {
  kind: 'bad-response'
  status: number
  reason: string
}

/** GitHub answered with an error status the caller has to interpret (401, 403, 429, 5xx, ...). */
export interface HttpError {
  kind: 'http-error'
  status: number
  /** GitHub's `message`, trimmed; '' when the body had none. */
  message: string
  /** `X-GitHub-SSO: required; url=…` was sent: the token is not authorised for the org's SAML SSO. */
  ssoRequired?: boolean
  ssoUrl?: string
  /** The org refuses classic PATs ("forbids access via a personal access token (classic)"). */
  forbidsClassicPat?: boolean
}

export type ApiFailure = Unreachable | BadResponse | HttpError

export interface NotFound {
  kind: 'not-found'
  status: 404
  message: string
}

export type WorkflowFileResult =
  { kind: 'ok'; status: number; text: string } | NotFound | ApiFailure

export type RateLimitResult =
  | {
      kind: 'ok'
      status: number
      /** From X-OAuth-Scopes; undefined when the header is absent (GITHUB_TOKEN, fine-grained PATs, App tokens). */
      scopes?: string[]
      /** From GitHub-Authentication-Token-Expiration; undefined when absent or unparseable. */
      expiration?: Date
      /** The header's raw value, kept so a message can quote it when it did not parse. */
      expirationRaw?: string
    }
  | ApiFailure

export type UserResult = { kind: 'ok'; status: number; login: string } | ApiFailure

export type OwnerType = 'User' | 'Organization'

export type OwnerResult =
  { kind: 'ok'; status: number; login: string; type: OwnerType } | NotFound | ApiFailure

export type OrgResult =
  | { kind: 'ok'; status: number }
  | { kind: 'sso-required'; status: number; url?: string; message: string }
  | { kind: 'forbids-classic-pat'; status: number; message: string }
  | NotFound
  | ApiFailure

export type PackageResult =
  | {
      kind: 'ok'
      status: number
      name: string
      /** owner/repo of the linked repository; undefined when the package is not linked. */
      repository?: string
      visibility?: string
    }
  | NotFound
  | ApiFailure

export interface GitHubApi {
  getWorkflowFile(
    repository: string,
    path: string,
    ref: string | undefined,
    token: string,
  ): Promise<WorkflowFileResult>
  rateLimit(token: string): Promise<RateLimitResult>
  getUser(token: string): Promise<UserResult>
  getOwner(owner: string, token: string): Promise<OwnerResult>
  getOrg(org: string, token: string): Promise<OrgResult>
  getPackage(
    ownerType: 'user' | 'org',
    owner: string,
    name: string,
    token: string,
  ): Promise<PackageResult>
}

export interface GitHubApiOptions {
  /** GITHUB_API_URL, e.g. https://api.github.com (contracts §4: honoured for every call). */
  apiUrl: string
  http: HttpClient
  /** Per-attempt timeout override; the client caps it by the run's deadline. */
  timeoutMs?: number
}

/** The contents API serves files up to 1 MB as base64; anything larger is not a workflow file we analyse. */
export { MAX_WORKFLOW_BYTES }

const MAX_MESSAGE_CHARS = 300
const CLASSIC_PAT_BAN = 'forbids access via a personal access token (classic)'

export function createGitHubApi(options: GitHubApiOptions): GitHubApi {
  const base = options.apiUrl.replace(/\/+$/, '')
  // Unset: the HttpClient's own per-attempt timeout applies (it always has one).
  const timeoutMs = options.timeoutMs
  const transport = createRestTransport({
    baseUrl: base,
    http: options.http,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  })

  /** One REST call; its answer, whatever the status, or unreachable when there was none. */
  async function send(call: RestCall, token: string): Promise<HttpResponse | Unreachable> {
    const sent = await transport(call, token)
    if ('answer' in sent) return sent.answer
    return { kind: 'unreachable', reason: scrub(failureReason(sent.error), token) }
  }

  /**
   * GET a JSON answer: its value on 200, else the failure to return as it is (unreachable, not
   * JSON, an error status, and with `notFound` a 404 kept apart).
   */
  async function getOk(call: RestCall, token: string): Promise<Read<ApiFailure>>
  async function getOk(
    call: RestCall,
    token: string,
    notFound: true,
  ): Promise<Read<ApiFailure | NotFound>>
  async function getOk(
    call: RestCall,
    token: string,
    notFound = false,
  ): Promise<Read<ApiFailure | NotFound>> {
    const res = await send(call, token)
    if (isUnreachable(res)) return { failure: res }
    if (notFound && res.status === 404) return { failure: notFoundOf(res) }
    const body = parseJson(res)
    if (body.kind !== 'json') return { failure: body.failure }
    if (res.status !== 200) return { failure: httpError(res, body.value) }
    return { res, value: body.value }
  }

  return {
    async getWorkflowFile(repository, path, ref, token) {
      const [owner, repo] = repository.split('/')
      const segments = path.split('/').filter((s) => s !== '' && s !== '.')
      if (!owner || !repo || segments.length === 0 || segments.includes('..')) {
        return {
          kind: 'bad-response',
          status: 0,
          reason: `not a file path in a repository: "${path}"`,
        }
      }
      // GitHub's own template for this URL (a file's `contents_url`) is `…/contents/{+path}`:
      // the slashes stay, each segment is encoded here.
      const answer = await getOk(
        (octokit, params) =>
          octokit.request('GET /repos/{owner}/{repo}/contents/{+path}', {
            owner,
            repo,
            path: segments.map(enc).join('/'),
            ...(ref ? { ref } : {}),
            ...params,
          }),
        token,
        true,
      )
      if ('failure' in answer) return answer.failure
      const { res } = answer
      const file = asRecord(answer.value)
      if (!file) {
        return {
          kind: 'bad-response',
          status: res.status,
          reason: `"${path}" is a directory, not a file`,
        }
      }
      if (file.type !== undefined && file.type !== 'file') {
        return {
          kind: 'bad-response',
          status: res.status,
          reason: `"${path}" is a ${String(file.type)}, not a file`,
        }
      }
      const size = typeof file.size === 'number' ? file.size : undefined
      if ((size !== undefined && size > MAX_WORKFLOW_BYTES) || file.encoding === 'none') {
        return {
          kind: 'bad-response',
          status: res.status,
          reason: `"${path}" is ${size ?? 'more than 1048576'} bytes, over the ${MAX_WORKFLOW_BYTES}-byte limit for a workflow file`,
        }
      }
      if (
        typeof file.content !== 'string' ||
        (file.encoding !== undefined && file.encoding !== 'base64')
      ) {
        return {
          kind: 'bad-response',
          status: res.status,
          reason: 'the contents API answer has no base64 "content"',
        }
      }
      const text = Buffer.from(file.content.replace(/\s+/g, ''), 'base64').toString('utf8')
      return { kind: 'ok', status: res.status, text }
    },

    async rateLimit(token) {
      const answer = await getOk((octokit, params) => octokit.rest.rateLimit.get(params), token)
      if ('failure' in answer) return answer.failure
      const { res } = answer
      const result: RateLimitResult = { kind: 'ok', status: res.status }
      const scopes = parseScopes(res.headers['x-oauth-scopes'])
      if (scopes) result.scopes = scopes
      const raw = res.headers['github-authentication-token-expiration']
      if (raw !== undefined && raw.trim() !== '') {
        result.expirationRaw = raw.trim()
        const date = parseExpiration(raw)
        if (date) result.expiration = date
      }
      return result
    },

    async getUser(token) {
      const answer = await getOk(
        (octokit, params) => octokit.rest.users.getAuthenticated(params),
        token,
      )
      if ('failure' in answer) return answer.failure
      const { res } = answer
      const login = asRecord(answer.value)?.login
      if (typeof login !== 'string' || login === '') {
        return {
          kind: 'bad-response',
          status: res.status,
          reason: 'GET /user answered without a "login"',
        }
      }
      return { kind: 'ok', status: res.status, login }
    },

    async getOwner(owner, token) {
      const answer = await getOk(
        (octokit, params) => octokit.rest.users.getByUsername({ username: owner, ...params }),
        token,
        true,
      )
      if ('failure' in answer) return answer.failure
      const { res } = answer
      const record = asRecord(answer.value)
      const type = record?.type
      const login = typeof record?.login === 'string' ? record.login : owner
      // Bots ('Bot') own no packages namespace of their own kind; only these two matter here.
      if (type !== 'User' && type !== 'Organization') {
        return {
          kind: 'bad-response',
          status: res.status,
          reason: `GET /users/${owner} answered with type ${JSON.stringify(type)}, expected "User" or "Organization"`,
        }
      }
      return { kind: 'ok', status: res.status, login, type }
    },

    async getOrg(org, token) {
      const res = await send((octokit, params) => octokit.rest.orgs.get({ org, ...params }), token)
      if (isUnreachable(res)) return res
      if (res.status === 404) return notFoundOf(res)
      const body = parseJson(res)
      if (body.kind !== 'json') return body.failure
      if (res.status === 200) {
        // `X-GitHub-SSO: partial-results; organizations=…` on a success only says some results were
        // hidden; only `required` means this token is not authorised for the org.
        const sso = parseSso(res.headers['x-github-sso'])
        if (sso.required) return ssoRequired(res, sso.url, '')
        return { kind: 'ok', status: res.status }
      }
      const err = httpError(res, body.value)
      if (err.ssoRequired) return ssoRequired(res, err.ssoUrl, err.message)
      if (err.forbidsClassicPat)
        return { kind: 'forbids-classic-pat', status: res.status, message: err.message }
      return err
    },

    async getPackage(ownerType, owner, name, token) {
      const answer = await getOk(
        (octokit, params) =>
          ownerType === 'org'
            ? octokit.rest.packages.getPackageForOrganization({
                org: owner,
                package_type: 'container',
                package_name: name,
                ...params,
              })
            : octokit.rest.packages.getPackageForUser({
                username: owner,
                package_type: 'container',
                package_name: name,
                ...params,
              }),
        token,
        true,
      )
      if ('failure' in answer) return answer.failure
      const { res } = answer
      const record = asRecord(answer.value)
      if (!record)
        return {
          kind: 'bad-response',
          status: res.status,
          reason: 'the package answer is not an object',
        }
      const result: PackageResult = {
        kind: 'ok',
        status: res.status,
        name: typeof record.name === 'string' ? record.name : name,
      }
      const repoName = asRecord(record.repository)?.full_name
      if (typeof repoName === 'string' && repoName !== '') result.repository = repoName
      if (typeof record.visibility === 'string') result.visibility = record.visibility
      return result
    },
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment)
}

/** Why a request got no answer: our client's failure (octokit passes it on as the cause). */
function failureReason(e: unknown): string {
  const cause = (e as { cause?: unknown })?.cause
  const failure = e instanceof HttpFailure ? e : cause instanceof HttpFailure ? cause : undefined
  if (failure) return `${failure.kind}: ${failure.message}`
  return `request failed: ${e instanceof Error ? e.message : String(e)}`
}

/** Defence in depth: a transport message should never hold the token, but make sure. */
function scrub(text: string, token: string): string {
  if (!token || token.length < 4) return text
  return text.split(token).join('***')
}

function ssoRequired(res: HttpResponse, url: string | undefined, message: string): OrgResult {
  const result: OrgResult = { kind: 'sso-required', status: res.status, message }
  if (url) result.url = url
  return result
}

type Parsed = { kind: 'json'; value: unknown } | { kind: 'failure'; failure: BadResponse }

/** Parses a body as JSON; an HTML page (proxy error, wrong API URL) or garbage is a bad response. */
function parseJson(res: HttpResponse): Parsed {
  const text = res.body.trim()
  const type = (res.headers['content-type'] ?? '').toLowerCase()
  if (text === '') return { kind: 'json', value: undefined }
  if (type.includes('text/html') || text.startsWith('<')) {
    const title = /<title>([^<]{0,120})<\/title>/i.exec(text)?.[1]?.trim()
    return bad(
      res.status,
      `HTTP ${res.status} with an HTML page${title ? ` ("${title}")` : ''}, not a GitHub API answer`,
    )
  }
  if (res.truncated)
    return bad(res.status, `HTTP ${res.status}: the answer was cut off at the size limit`)
  try {
    return { kind: 'json', value: JSON.parse(text) as unknown }
  } catch {
    return bad(res.status, `HTTP ${res.status}: the answer is not JSON`)
  }
}

function bad(status: number, reason: string): Parsed {
  return { kind: 'failure', failure: { kind: 'bad-response', status, reason } }
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

function messageOf(value: unknown): string {
  const message = asRecord(value)?.message
  if (typeof message !== 'string') return ''
  const oneLine = message.replace(/\s+/g, ' ').trim()
  return oneLine.length > MAX_MESSAGE_CHARS ? `${oneLine.slice(0, MAX_MESSAGE_CHARS)}…` : oneLine
}

function notFoundOf(res: HttpResponse): NotFound {
  let message = ''
  try {
    message = messageOf(JSON.parse(res.body))
  } catch {
    // A 404 from GitHub is JSON; an HTML 404 still means "not there" for our purposes.
  }
  return { kind: 'not-found', status: 404, message }
}

function httpError(res: HttpResponse, body: unknown): HttpError {
  const err: HttpError = { kind: 'http-error', status: res.status, message: messageOf(body) }
  const sso = parseSso(res.headers['x-github-sso'])
  if (sso.required) {
    err.ssoRequired = true
    if (sso.url) err.ssoUrl = sso.url
  } else if (res.status === 403 && /SAML enforcement/i.test(err.message)) {
    // The message without the header still means SSO; the URL is then unknown.
    err.ssoRequired = true
  }
  if (err.message.toLowerCase().includes(CLASSIC_PAT_BAN)) err.forbidsClassicPat = true
  return err
}

/** `X-OAuth-Scopes: repo, write:packages` → ['repo', 'write:packages']; '' → []; absent → undefined. */
export function parseScopes(header: string | undefined): string[] | undefined {
  if (header === undefined) return undefined
  return header
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

/** `required; url=https://github.com/orgs/acme/sso?authorization_request=…` → required with the URL. */
export function parseSso(header: string | undefined): { required: boolean; url?: string } {
  if (!header) return { required: false }
  const parts = header.split(';').map((s) => s.trim())
  if (parts[0]?.toLowerCase() !== 'required') return { required: false }
  const urlPart = parts.find((p) => /^url=/i.test(p))
  const url = urlPart?.slice(4).trim()
  // Only an https (or loopback http, for the test rig) URL is worth printing as a link.
  if (url && /^https?:\/\//i.test(url)) return { required: true, url }
  return { required: true }
}

/** `2027-10-12 09:00:00 UTC` (also `… +0000`, ISO 8601) → Date; anything else → undefined. */
export function parseExpiration(header: string): Date | undefined {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(UTC|GMT|Z|[+-]\d{2}:?\d{2})?$/i.exec(
      header.trim(),
    )
  if (!m) return undefined
  const [, y, mo, d, h, mi, s, zone] = m
  const utc = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s ?? '0'),
  )
  // Date.UTC rolls 2027-13-45 over into 2028; a header like that is garbage, not a date.
  const check = new Date(utc)
  if (
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d) ||
    check.getUTCHours() !== Number(h) ||
    check.getUTCMinutes() !== Number(mi)
  ) {
    return undefined
  }
  let offsetMinutes = 0
  if (zone && !/^(UTC|GMT|Z)$/i.test(zone)) {
    const sign = zone.startsWith('-') ? -1 : 1
    const digits = zone.slice(1).replace(':', '')
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)))
  }
  const date = new Date(utc - offsetMinutes * 60_000)
  return Number.isNaN(date.getTime()) ? undefined : date
}

/** A JSON value read from a 200 answer, or the failure to hand back. */
type Read<F> = { failure: F } | { res: HttpResponse; value: unknown }

function isUnreachable(r: HttpResponse | Unreachable): r is Unreachable {
  return (r as Unreachable).kind === 'unreachable'
}
