// Reads a registry refusal out of one line a client printed (docker, buildx, podman, buildah,
// skopeo, crane, helm, oras, goreleaser, docker/login-action, the runner itself): the step that
// failed, the HTTP status, the registry's error code and message, and the image it names. The
// registry's answer is the same JSON whoever asks (distribution spec), but every client frames it
// differently; this is the one place that knows the framings. The classifier (classify.ts) then
// maps the answer to a cause exactly as it does for the preflight's own probe.
//
// Framings seen in real reports (corpus/failures/, quote and printed fields), e.g.
//   buildx:   "failed to push ghcr.io/o/i:t: denied: installation not allowed to Write organization package"
//   buildkit: "unexpected status from POST request to https://ghcr.io/v2/o/i/blobs/uploads/: 403 Forbidden"
//   podman:   "writing blob: initiating layer upload to /v2/o/i/blobs/uploads/ in ghcr.io: denied: …"
//   podman:   "Requesting bearer token: invalid status code from registry 403 (Forbidden)"
//   crane:    "POST https://ghcr.io/v2/o/i/blobs/uploads/: DENIED: permission_denied: …"
//   helm/oras:"POST \"https://ghcr.io/v2/o/c/blobs/uploads/\": response status code 403: denied: …"
//   login:    "Error response from daemon: Get \"https://ghcr.io/v2/\": denied: denied"
//
// And what stops a push before ghcr.io ever answers (source 'client'): a name the client cannot
// parse, a login with an empty secret ("Username and password required"), a calling job that
// grants a reusable workflow less than it asks ("The nested job … is requesting 'packages:
// write', but is only allowed 'packages: read'"), a registry host that does not exist (ghrc.io),
// and a push that went to Docker Hub (its token service at auth.docker.io refusing it).

import { isTypo } from '../image/check.js'
import type { ProbeOutcome } from './types.js'

export type RefusalStep = 'login' | 'token' | 'read' | 'upload' | 'manifest' | 'client'

export interface PrintedRefusal {
  /** ghcr.io answered (status/code/message), or the push stopped before it could (`reason`). */
  source: 'registry' | 'client'
  /**
   * Why a client-side refusal happened: the image name, an empty login secret, a reusable
   * workflow's permission ceiling, a registry host that does not exist, or another registry
   * (Docker Hub) refusing what was meant for this one.
   */
  reason?: 'name' | 'no-credential' | 'workflow-permission' | 'unknown-host' | 'other-registry'
  /** The client asked the token service without credentials ("failed to fetch anonymous token"). */
  anonymous?: boolean
  /** The registry could not be reached at all (DNS, timeout, dropped connection): nothing proven. */
  unreachable?: boolean
  /** Where GitHub located a refused workflow call: the calling file and its line and column. */
  at?: { file: string; line?: number; column?: number; callee?: string }
  step: RefusalStep
  status?: number
  /** The registry's error code as printed, upper-cased (DENIED, UNAUTHORIZED, NAME_INVALID, …). */
  code?: string
  /** The registry's message, e.g. "installation not allowed to Write organization package". */
  message?: string
  /** An image reference or repository path named on the line, as printed. */
  reference?: string
  /** A registry host named on the line. */
  host?: string
  /** The part of the line the refusal was read from. */
  fragment: string
}

/** Distribution error codes a client prints as `code: message`. */
const CODE =
  /(?<!permission )\b(denied|unauthorized|name_invalid|name_unknown|manifest_invalid|blob_upload_invalid|unsupported|toomanyrequests)\s*:\s*/i

/** Registry messages a client may print without their code (fragments quoted in threads). */
const KNOWN_MESSAGE =
  /(push access denied|insufficient_scope|invalid username\/password|permission_denied:|unauthenticated:|installation not allowed to (?:Create|Write|Read) organization package|user cannot be authenticated with the token provided|the token provided does not match expected scopes|forbids access via a personal access token|the requested installation does not exist|requested access to the resource is denied|not_found: owner not found|authentication required|\bname invalid\b|invalid repository name|\bdenied:\s*denied\b)/i

/** A login the client reports as failed without the registry's words (the runner, helm, podman). */
const LOGIN_FAILED =
  /Docker login for '[^']+' failed|login attempt to \S+ failed|Error: logging in(?:to| to) \S+|Error: error logging in/i

/**
 * Clients that say the status in words, or in their own sentence, with the image it was for:
 * jib ("Unauthorized for ghcr.io/o/app", "make sure you have permissions for ghcr.io/o/app and
 * set correct credentials"), the .NET SDK ("received status code 'Forbidden'").
 */
const WORDED_STATUS: Array<[RegExp, number]> = [
  [/\bUnauthorized for ([\w.-]+(?::\d+)?\/[^\s:'"]+)/, 401],
  [/make sure your credentials for '?([\w.-]+(?::\d+)?\/[^\s:'"]+?)'? are set up correctly/i, 401],
  [
    /make sure you have permissions? for '?([\w.-]+(?::\d+)?\/[^\s:'"]+?)'? and set correct credentials/i,
    403,
  ],
]
const STATUS_WORDS: Record<string, number> = {
  unauthorized: 401,
  forbidden: 403,
  notfound: 404,
  toomanyrequests: 429,
  internalservererror: 500,
  badgateway: 502,
  serviceunavailable: 503,
  gatewaytimeout: 504,
}

const STATUS_PATTERNS: RegExp[] = [
  /\b(4\d\d|5\d\d)\s*\(?(?:Forbidden|Unauthorized|Not Found|Too Many Requests|Bad Request|Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout)\)?/i,
  /status(?: code)?(?: from registry)?[:\s]+(\d{3})\b/i,
  /invalid status code from registry (\d{3})/i,
  /failed with status:? (\d{3})/i,
  /^(?:\W*error:?\s*)?(4\d\d|5\d\d):\s/i,
]

/** The line concerns a registry at all (so a bare "403 Forbidden" elsewhere is not read as one). */
const REGISTRY_CONTEXT =
  /\/v2\/|\bghcr\.io\b|\bcontainers\.[\w.-]+|registry|\bpush|\bblobs?\b|manifest|upload|unexpected status|bearer token|oauth token|anonymous token|\bdocker\b|podman|buildah|skopeo|crane|\boras\b|\bhelm\b|goreleaser|\bko\b/i
/** A line that is nothing but a refusal status. */
const BARE_STATUS =
  /^\W*(?:error:?\s*)?(?:HTTP\/?[\d.]*\s*)?(401|403)\s*\(?(Forbidden|Unauthorized)?\)?\W*$/i

const CLIENT_REFUSAL =
  /invalid reference format|must be lowercase|invalid tag "|Unable to parse image|could not parse reference|invalid image name|repository name must have at least one component/i

/** docker/login-action's and docker login's own checks: the username or password was empty. */
const NO_CREDENTIAL =
  /^\W*(?:Error:\s*)?(?:Username and password required|Username required|Password required)\.?\s*$|Input required and not supplied: (?:username|password)\b|Cannot perform an interactive login from a non TTY device|Must provide --username with --password-stdin/i

/** GitHub's refusal to start a run whose calling job grants a reusable workflow too little. */
const NESTED_JOB =
  /The nested job '([^']+)' is requesting '([^']+)', but is only allowed '([^']*)'/i

/** A request that never reached a registry: the host does not resolve or answer. */
const UNREACHABLE_HOST: RegExp[] = [
  /lookup ([\w.-]+\.[a-z0-9]+)(?: on \S+?)?: (?:no such host|i\/o timeout|server misbehaving)/i,
  /(?:Get|Head|Post|Put|Patch) "?https?:\/\/([^/"\s:]+)(?::\d+)?\/v2\/[^\s"]*"?: (?:dial tcp|net\/http|remote error|x509|EOF|context deadline|read tcp|write tcp|http2)/i,
  // ghcr.io's blob storage, where it redirects layer downloads.
  /(?:Get|Head) "?https?:\/\/(pkg-containers\.githubusercontent\.com)\/[^\s"]*"?: (?:dial tcp|net\/http|remote error|x509|EOF|context deadline|read tcp|http2)/i,
]

/** Docker Hub's hosts, where a name without a registry goes. */
const DOCKER_HUB = /^(?:docker\.io|index\.docker\.io|registry-1\.docker\.io|auth\.docker\.io)$/i

export function parseRefusalLine(line: string): PrintedRefusal | undefined {
  const text = line.trim()
  if (text === '' || text.length > 4000) return undefined
  if (CLIENT_REFUSAL.test(text)) return clientRefusal(text)
  if (NO_CREDENTIAL.test(text)) {
    const at = NO_CREDENTIAL.exec(text)!
    return {
      source: 'client',
      reason: 'no-credential',
      step: 'login',
      message: cleanMessage(text.slice(at.index).replace(/^\W*(?:Error:\s*)?/i, '')),
      fragment: text,
    }
  }
  const nested = nestedJobRefusal(text)
  if (nested !== undefined) return nested ?? undefined
  const unreachable = unreachableHost(text)
  if (unreachable) return unreachable

  // The registry's own JSON answer, printed raw (jib, curl, a client's debug output).
  const json = /"code"\s*:\s*"([A-Z_]+)"\s*,\s*"message"\s*:\s*"([^"]*)"/.exec(text)
  const codeMatch = json ? undefined : CODE.exec(text)
  const known = json ? undefined : KNOWN_MESSAGE.exec(text)
  const worded = WORDED_STATUS.map(([p, n]) => [p.exec(text), n] as const).find(([m]) => m)
  const status = statusOf(text) ?? worded?.[1]
  const bare = BARE_STATUS.exec(text)
  const loginFailed = LOGIN_FAILED.exec(text)
  if (
    !json &&
    !codeMatch &&
    !known &&
    !(status && REGISTRY_CONTEXT.test(text)) &&
    !bare &&
    !loginFailed
  ) {
    return undefined
  }
  // "Permission denied (publickey)" and other unrelated uses of the words: a code needs a
  // registry-like context or a known message after it.
  if (codeMatch && !known && !status && !REGISTRY_CONTEXT.test(text)) return undefined

  const refusal: PrintedRefusal = { source: 'registry', step: stepOf(text), fragment: text }
  if (/fetch anonymous token/i.test(text)) refusal.anonymous = true
  if (json) {
    refusal.code = json[1]!
    refusal.message = cleanMessage(json[2]!)
  } else if (codeMatch) {
    refusal.code = codeMatch[1]!.toUpperCase()
    refusal.message = cleanMessage(text.slice(codeMatch.index + codeMatch[0].length))
  } else if (known) {
    refusal.message = cleanMessage(text.slice(known.index))
  } else if (loginFailed && !status) {
    refusal.message = cleanMessage(text.slice(loginFailed.index))
  }
  const s = status ?? (bare ? Number(bare[1]) : undefined) ?? statusFromCode(refusal.code)
  if (s !== undefined) refusal.status = s
  const where = referenceOf(text)
  if (where.reference) refusal.reference = where.reference
  if (where.host) refusal.host = where.host
  if (!refusal.reference && worded?.[0]?.[1]) {
    refusal.reference = worded[0][1]
    refusal.host ??= hostPart(worded[0][1])
    if (!refusal.host) delete refusal.host
  }
  // Docker Hub answered: the push never went to a GitHub registry (a name without ghcr.io/).
  if (refusal.host && DOCKER_HUB.test(refusal.host)) {
    refusal.source = 'client'
    refusal.reason = 'other-registry'
  }
  return refusal
}

/**
 * "The nested job 'build' is requesting 'packages: write', but is only allowed 'packages: read'":
 * a refusal when the packages permission is capped (null: a ceiling on other scopes only, which
 * is no registry matter; undefined: not such a line).
 */
function nestedJobRefusal(text: string): PrintedRefusal | null | undefined {
  const m = NESTED_JOB.exec(text)
  if (!m) return undefined
  const level = (list: string) => {
    const p = /\bpackages:\s*(write|read|none)\b/i.exec(list)
    return p ? (['none', 'read', 'write'] as const).indexOf(p[1]!.toLowerCase() as never) : 0
  }
  if (level(m[2]!) <= level(m[3]!)) return null
  const refusal: PrintedRefusal = {
    source: 'client',
    reason: 'workflow-permission',
    step: 'client',
    message: `The nested job '${m[1]}' is requesting '${m[2]}', but is only allowed '${m[3]}'`,
    fragment: text,
  }
  // "…/caller.yml (Line: 44, Col: 3): Error calling workflow 'o/r/.github/workflows/x.yml@ref'",
  // or the annotation's "…/caller.yml#L44".
  const call =
    /(\.github\/workflows\/[\w.-]+\.ya?ml) \(Line: (\d+), Col: (\d+)\)(?::\s*Error calling workflow '([^']+)')?/i.exec(
      text,
    ) ?? /(\.github\/workflows\/[\w.-]+\.ya?ml)(?:#L(\d+))?/i.exec(text)
  if (call) {
    refusal.at = { file: call[1]! }
    if (call[2]) refusal.at.line = Number(call[2])
    if (call[3]) refusal.at.column = Number(call[3])
    if (call[4]) refusal.at.callee = call[4]
  }
  return refusal
}

/**
 * A request that never got an answer: to a host one or two slips from ghcr.io, the name is the
 * cause; to a GitHub registry itself, nothing is proven (DNS, a timeout, a dropped connection).
 */
function unreachableHost(text: string): PrintedRefusal | undefined {
  for (const p of UNREACHABLE_HOST) {
    const m = p.exec(text)
    const host = m?.[1]?.toLowerCase()
    if (
      host &&
      /^(?:ghcr\.io|containers\.[\w.-]+|pkg-containers\.githubusercontent\.com)$/.test(host)
    ) {
      const refusal: PrintedRefusal = {
        source: 'registry',
        unreachable: true,
        step: stepOf(text),
        message: cleanMessage(text.slice(m!.index)),
        host,
        fragment: text,
      }
      const where = referenceOf(text)
      if (where.reference) refusal.reference = where.reference
      return refusal
    }
    if (host && isTypo(host, 'ghcr.io')) {
      return {
        source: 'client',
        reason: 'unknown-host',
        step: 'client',
        message: cleanMessage(m![0]),
        host,
        fragment: text,
      }
    }
  }
  return undefined
}

/** The refusal as the preflight's probe would have recorded it, for classifyProbe(). */
export function toProbeOutcome(r: PrintedRefusal): ProbeOutcome {
  const step = r.step === 'login' || r.step === 'token' ? 'token' : 'upload'
  const outcome: ProbeOutcome = { verdict: verdictOf(r), step, roundTrips: 0 }
  if (r.status !== undefined) outcome.status = r.status
  if (r.code !== undefined) outcome.code = r.code
  if (r.message !== undefined) outcome.message = r.message
  if (outcome.verdict === 'inconclusive' && r.unreachable) {
    outcome.reason = `${r.host ?? 'the registry'} could not be reached (${r.message ?? r.fragment})`
  } else if (outcome.verdict === 'inconclusive') {
    outcome.reason = `the registry answered ${r.status ?? ''} ${r.message ?? ''}`
      .replace(/\s+/g, ' ')
      .trim()
  }
  return outcome
}

function verdictOf(r: PrintedRefusal): ProbeOutcome['verdict'] {
  if (r.unreachable) return 'inconclusive'
  if (r.status !== undefined && (r.status >= 500 || r.status === 429)) return 'inconclusive'
  if (r.code === 'TOOMANYREQUESTS') return 'inconclusive'
  const message = r.message ?? ''
  if (
    r.status === 401 ||
    r.code === 'UNAUTHORIZED' ||
    /^unauthenticated:|authentication required|user cannot be authenticated/i.test(message) ||
    r.anonymous
  ) {
    return 'unauthorized'
  }
  // A credential refused at login or by the token service is refused as a credential, not for a
  // package: that is what "unauthorized" means to the classifier.
  if (
    (r.step === 'login' || r.step === 'token') &&
    !/permission_denied|does not match expected scopes|forbids access/i.test(message)
  ) {
    return 'unauthorized'
  }
  return 'denied'
}

function clientRefusal(text: string): PrintedRefusal {
  const refusal: PrintedRefusal = {
    source: 'client',
    reason: 'name',
    step: 'client',
    fragment: text,
  }
  const at =
    /invalid reference format|invalid tag "|Unable to parse image|could not parse reference|invalid image name|repository name must/i.exec(
      text,
    )
  refusal.message = cleanMessage(at ? text.slice(at.index) : text)
  const where = referenceOf(text)
  if (where.reference) refusal.reference = where.reference
  if (where.host) refusal.host = where.host
  return refusal
}

function statusOf(text: string): number | undefined {
  for (const p of STATUS_PATTERNS) {
    const m = p.exec(text)
    if (m) return Number(m[1])
  }
  // The .NET SDK: "received status code 'Forbidden'" (HttpStatusCode's name).
  const word = /status code '?([A-Za-z]+)'?/.exec(text)?.[1]?.toLowerCase()
  return word ? STATUS_WORDS[word] : undefined
}

function statusFromCode(code: string | undefined): number | undefined {
  if (code === 'DENIED') return 403
  if (code === 'UNAUTHORIZED') return 401
  if (code === 'TOOMANYREQUESTS') return 429
  return undefined
}

function stepOf(text: string): RefusalStep {
  if (
    /Get "?https?:\/\/[^/"\s]+\/v2\/"?:|login attempt|Docker login for|Error: error logging in|logging in ?to|Error saving credentials|unable to log ?in|login failed|error logging in/i.test(
      text,
    )
  ) {
    return 'login'
  }
  if (
    /Requesting bearer token|fetch (?:oauth|anonymous) token|\/token\?|fetching token|failed to authorize/i.test(
      text,
    )
  ) {
    return 'token'
  }
  if (
    /HEAD (?:request to |"?https?:)|trying to reuse blob|failed to read from destination|checking whether a blob/i.test(
      text,
    )
  ) {
    return 'read'
  }
  if (/manifest/i.test(text) && !/blobs\/uploads/i.test(text)) return 'manifest'
  return 'upload'
}

/** Trailing quotes, the runner's own punctuation and repeated spaces off a message. */
function cleanMessage(s: string): string {
  return s
    .replace(/\s+/g, ' ')
    .replace(/["'`]+$/, '')
    .trim()
    .slice(0, 300)
}

const REF = String.raw`[\w.-]+(?::\d+)?(?:\/[\w.-]+)+(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?`

function referenceOf(text: string): { reference?: string; host?: string } {
  const patterns: Array<[RegExp, (m: RegExpExecArray) => { reference?: string; host?: string }]> = [
    [/invalid tag "([^"]+)"/i, (m) => ({ reference: m[1]! })],
    [/repository name \(([^)]+)\) must be lowercase/i, (m) => ({ reference: m[1]! })],
    [/Unable to parse image (\S+)/i, (m) => ({ reference: m[1]! })],
    [
      new RegExp(`failed to (?:push|put manifest|copy(?: index)?|commit) "?(${REF})`, 'i'),
      (m) => ({ reference: m[1]! }),
    ],
    [
      /(?:POST|HEAD|PUT|PATCH|GET)(?: request to)? "?https?:\/\/([^/"\s]+)\/v2\/(.+?)\/(?:blobs|manifests)\//i,
      (m) => ({ host: m[1]!, reference: `${m[1]}/${m[2]}` }),
    ],
    [
      /upload to \/v2\/(.+?)\/blobs\/uploads\/ in ([\w.-]+(?::\d+)?)/i,
      (m) => ({ host: m[2]!, reference: `${m[2]}/${m[1]}` }),
    ],
    [/oci:\/\/([\w.-]+(?::\d+)?\/[^\s"'`]+)/i, (m) => ({ reference: m[1]! })],
    // The token service's URL names the repository in its scope, URL-encoded (and, in Go's
    // mangled printing, "%!A(MISSING)" for ":" and "%!F(MISSING)" for "/").
    [
      /https?:\/\/([^/\s"]+)\/(?:v2\/)?token\?[^\s"]*?scope=repository(?:%3A|:|%!A\(MISSING\))([^\s"&]+?)(?:%3A|:|%!A\(MISSING\))(?:pull|push)/i,
      (m) => {
        const host = DOCKER_HUB.test(m[1]!) ? 'docker.io' : m[1]!.toLowerCase()
        // Docker Hub's implicit namespace for a name without one ("konstraint" → library/…).
        const path = m[2]!.replace(/%2F|%!F\(MISSING\)/gi, '/').replace(/^library\//, '')
        return { host, reference: `${host}/${path}` }
      },
    ],
    [/destination repository ([\w./-]+)/i, (m) => ({ reference: m[1]! })],
    [/repository:([\w./-]+):(?:push|pull)/i, (m) => ({ reference: m[1]! })],
    [/Get "?https?:\/\/([^/"\s]+)\/v2\//i, (m) => ({ host: m[1]! })],
    [/for '([\w.-]+)' failed/i, (m) => ({ host: m[1]! })],
  ]
  for (const [p, pick] of patterns) {
    const m = p.exec(text)
    if (m) {
      const out = pick(m)
      // A path shortened where it was pasted (ghcr.io/o/.../blobs) names no image.
      if (out.reference && /\.\.\.|…|<[^>]*>/.test(out.reference)) {
        const host = out.host ?? hostPart(out.reference)
        return host ? { host } : {}
      }
      if (out.reference) out.reference = out.reference.replace(/[.,;:'"`)\]]+$/, '')
      if (!out.host && out.reference) {
        const first = out.reference.split('/')[0]!
        if (first.includes('.') || first.includes(':') || first === 'localhost') out.host = first
      }
      return out
    }
  }
  return {}
}

function hostPart(reference: string): string | undefined {
  const first = reference.split('/')[0]!
  return first.includes('.') || first.includes(':') ? first : undefined
}
