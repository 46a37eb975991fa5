// What a job log says about the run, read line by line: the registry refusals, and the facts the
// runner and well-known actions print around them. "Set up job" lists the token's real
// permissions ("GITHUB_TOKEN Permissions") and where secrets came from ("Secret source: Actions",
// "Dependabot", or "None" for a pull request from a fork); actions/checkout names the repository
// and the server; docker/metadata-action prints the event and the actor; login and push steps name
// the registry and the image. Pure: lines in, facts out, each fact with the line it came from.

import { parseRefusalLine, type PrintedRefusal } from '../registry/refusal-text.js'
import type { LogLine } from './log-lines.js'

export interface Fact<T> {
  value: T
  /** The log line the fact was read from. */
  line: LogLine
}

export interface LoginSeen {
  /** Registry host the login was for, when the log names it. */
  registry?: string
  line: LogLine
  /** docker/login-action, a `docker login` command, the runner's container login, … */
  how: string
  /** The login printed its success. */
  succeeded: boolean
}

export interface RefusalSeen {
  refusal: PrintedRefusal
  /** The most informative line printing this refusal (the one quoted as evidence). */
  line: LogLine
  /** Every line that printed it (clients print the same answer several times). */
  lines: LogLine[]
  /** The step that printed it, when known. */
  step?: string
}

export interface LogFacts {
  lines: number
  /** "GITHUB_TOKEN Permissions": scope (as printed, e.g. Packages) → read|write. */
  permissions?: { scopes: Map<string, string>; line: LogLine }
  /** "Secret source: …": Actions, Dependabot, None. */
  secretSource?: Fact<string>
  repository?: Fact<string>
  serverUrl?: Fact<string>
  eventName?: Fact<string>
  actor?: Fact<string>
  /** A pull request merge ref was checked out (refs/pull/N/merge). */
  pullRequestRef?: Fact<string>
  runner?: Fact<string>
  /** "Complete job name: …" of Set up job. */
  jobName?: Fact<string>
  /** Image references the job tagged or pushed, in log order. */
  images: Array<Fact<string>>
  logins: LoginSeen[]
  /** A step minted a GitHub App installation token (actions/create-github-app-token, …). */
  appTokenStep?: Fact<string>
  refusals: RefusalSeen[]
}

const APP_TOKEN_ACTIONS =
  /^(?:actions\/create-github-app-token|tibdex\/github-app-token|peter-murray\/workflow-application-token-action|navikt\/github-app-token-generator|getsentry\/action-github-app-token)@/i
const LOGIN_COMMAND =
  /\b(docker|podman|buildah|skopeo|helm registry|oras|crane auth|regctl registry|ko)\s+login\b(?:[^\n]*?\s([\w.-]+\.[\w.-]+(?::\d+)?)(?:\s|$))?/i

export function readLogFacts(lines: LogLine[]): LogFacts {
  const facts: LogFacts = { lines: lines.length, images: [], logins: [], refusals: [] }
  let permissionsOpen = false
  let context = false
  let inWith: { action: string; line: LogLine } | undefined
  for (const line of lines) {
    const t = line.text
    if (line.marker === 'endgroup') {
      permissionsOpen = false
      context = false
      inWith = undefined
      continue
    }
    if (/^GITHUB_TOKEN Permissions\s*$/.test(t.trim())) {
      facts.permissions = { scopes: new Map(), line }
      permissionsOpen = true
      continue
    }
    if (permissionsOpen) {
      const m = /^\s*([A-Za-z]+):\s*(read|write|none)\s*$/.exec(t)
      if (m) {
        facts.permissions!.scopes.set(m[1]!, m[2]!)
        continue
      }
      permissionsOpen = false
    }
    if (line.marker === 'group') {
      context = /^Context info$/.test(t.trim())
      const run = /^Run (\S+@\S+)/.exec(t)
      inWith = run ? { action: run[1]!, line } : undefined
      if (run && APP_TOKEN_ACTIONS.test(run[1]!)) facts.appTokenStep = { value: run[1]!, line }
      if (run && /^docker\/login-action@/i.test(run[1]!)) {
        facts.logins.push({ line, how: 'docker/login-action', succeeded: false })
      }
      readCommandLine(t, line, facts)
      continue
    }
    readSetup(t, line, facts)
    if (context) readContextInfo(t, line, facts)
    if (inWith) readWithBlock(t, line, inWith.action, facts)
    readCheckout(t, line, facts)
    readImages(t, line, facts)
    readLoginOutcome(t, line, facts)
    if (!line.marker || line.marker === 'error' || line.marker === 'warning') {
      const refusal = parseRefusalLine(t)
      if (refusal) addRefusal(facts, refusal, line)
    }
  }
  return facts
}

function readSetup(t: string, line: LogLine, facts: LogFacts): void {
  const secret = /^Secret source: (\w+)/.exec(t)
  if (secret) facts.secretSource = { value: secret[1]!, line }
  const image = /^\s*Image: ([\w.-]+)\s*$/.exec(t)
  if (image && !facts.runner) facts.runner = { value: image[1]!, line }
  const job = /^Complete job name: (.+?)\s*$/.exec(t)
  if (job) facts.jobName = { value: job[1]!, line }
  const name = /^Runner name: '([^']+)'/.exec(t)
  if (name) facts.runner = { value: `self-hosted runner ${name[1]}`, line }
}

function readContextInfo(t: string, line: LogLine, facts: LogFacts): void {
  const m = /^(eventName|actor): (\S+)\s*$/.exec(t)
  if (!m) return
  if (m[1] === 'eventName') facts.eventName = { value: m[2]!, line }
  else facts.actor = { value: m[2]!, line }
}

function readWithBlock(t: string, line: LogLine, action: string, facts: LogFacts): void {
  const m = /^\s+([\w-]+):\s*(.*)$/.exec(t)
  if (!m) return
  const [, key, value] = m
  if (/^docker\/login-action@/i.test(action) && key === 'registry' && value) {
    const login = facts.logins[facts.logins.length - 1]
    if (login && !login.registry) login.registry = value.trim().toLowerCase()
  }
  if (/^docker\/(build-push|bake)-action@/i.test(action) && key === 'tags' && value) {
    for (const ref of value.split(/[\s,]+/)) addImage(facts, ref, line)
  }
}

function readCheckout(t: string, line: LogLine, facts: LogFacts): void {
  const repo = /^Syncing repository: ([^\s/]+\/[^\s/]+)\s*$/.exec(t)
  if (repo) facts.repository = { value: repo[1]!, line }
  const remote =
    /git(?:\.exe)? remote add origin (https?:\/\/[^\s/]+)\/([^\s/]+\/[^\s/]+?)(?:\.git)?\s*$/.exec(
      t,
    )
  if (remote) {
    facts.serverUrl = { value: remote[1]!, line }
    facts.repository ??= { value: remote[2]!, line }
  }
  const pr = /refs\/(?:remotes\/)?pull\/(\d+)\/(?:merge|head)/.exec(t)
  if (pr && !facts.pullRequestRef) facts.pullRequestRef = { value: pr[1]!, line }
}

const IMAGE_LINES: RegExp[] = [
  /The push refers to repository \[([^\]]+)\]/,
  /#\d+ naming to ([^\s]+)(?: done)?/,
  /#\d+ pushing manifest for ([^\s@]+)/,
  /Successfully tagged ([^\s]+)/,
  /^Pushing ([\w.-]+\/[^\s]+)/,
  /\b(?:docker|podman|buildah) (?:image )?push (?:--[\w-]+(?:=\S+)? )*([^\s-][^\s]*)/,
  /\bdocker (?:buildx )?build\b.*?(?:-t|--tag)[ =]([^\s]+)/,
  /\b(?:oras|crane|regctl image) (?:push|copy|cp)\b.*?\s([\w.-]+\.[\w.-]+\/[^\s]+)\s*$/,
  /\bhelm push \S+ oci:\/\/([^\s]+)/,
]

function readImages(t: string, line: LogLine, facts: LogFacts): void {
  for (const p of IMAGE_LINES) {
    const m = p.exec(t)
    if (m) {
      addImage(facts, m[1]!, line)
      return
    }
  }
}

function readCommandLine(t: string, line: LogLine, facts: LogFacts): void {
  // `##[group]Run docker login …` and the script lines after it; expressions are printed
  // evaluated, secrets masked as ***.
  const login = LOGIN_COMMAND.exec(t)
  if (login) {
    const seen: LoginSeen = { line, how: `${login[1]} login`, succeeded: false }
    if (login[2]) seen.registry = login[2].toLowerCase()
    facts.logins.push(seen)
  }
  readImages(t, line, facts)
}

function readLoginOutcome(t: string, line: LogLine, facts: LogFacts): void {
  if (line.step && LOGIN_COMMAND.test(t) && !facts.logins.some((l) => l.line === line)) {
    readCommandLine(t, line, facts)
    return
  }
  const into = /^Logging into ([\w.-]+(?::\d+)?)\.\.\./.exec(t)
  if (into) {
    const login = facts.logins[facts.logins.length - 1]
    if (login && !login.registry) login.registry = into[1]!.toLowerCase()
  }
  // The runner's own login for a job or service container image (container.credentials).
  const runner = /^\[command\].*docker(?:\.exe)? login .*?([\w.-]+\.[\w.-]+)\s*$/.exec(t)
  if (runner && !line.step) {
    facts.logins.push({
      line,
      how: 'the runner (container image)',
      registry: runner[1]!,
      succeeded: false,
    })
  }
  if (/^Login Succeeded!?\s*$|^Login successful|^Logged in to /.test(t.trim())) {
    const last = facts.logins[facts.logins.length - 1]
    if (last) last.succeeded = true
    else facts.logins.push({ line, how: 'a login command', succeeded: true })
  }
}

function addImage(facts: LogFacts, raw: string, line: LogLine): void {
  const ref = raw.replace(/^["'`]|["'`,;]+$/g, '')
  if (!/^[\w.-]+(?::\d+)?\/[^\s]+$/.test(ref) && !/^[\w.-]+\/[\w./-]+(?::[\w.-]+)?$/.test(ref))
    return
  if (ref.includes('${') || ref.includes('$(')) return
  if (!facts.images.some((i) => i.value === ref)) facts.images.push({ value: ref, line })
}

/** The same answer printed again (buildkit, then buildx, then the action) is one refusal. */
function addRefusal(facts: LogFacts, refusal: PrintedRefusal, line: LogLine): void {
  const key = (r: PrintedRefusal) =>
    `${r.source}|${r.message?.toLowerCase() ?? ''}|${r.status ?? ''}|${r.step === 'client' ? (r.reference ?? '') : ''}`
  const same = facts.refusals.find(
    (s) =>
      key(s.refusal) === key(refusal) ||
      // A bare status repeated next to a line that carries the message.
      (s.refusal.message && !refusal.message && s.refusal.status === refusal.status) ||
      (!s.refusal.message && refusal.message && s.refusal.status === refusal.status),
  )
  if (!same) {
    facts.refusals.push({ refusal, line, lines: [line], ...(line.step ? { step: line.step } : {}) })
    return
  }
  same.lines.push(line)
  // Keep the richest version: with a message, a status and an image beats a bare one.
  const score = (r: PrintedRefusal) =>
    (r.message ? 4 : 0) + (r.status ? 2 : 0) + (r.reference ? 1 : 0) + (r.code ? 1 : 0)
  const merged: PrintedRefusal = { ...same.refusal }
  if (score(refusal) > score(same.refusal)) {
    Object.assign(merged, refusal)
    same.line = line
  }
  merged.reference ??= refusal.reference ?? same.refusal.reference
  merged.host ??= refusal.host ?? same.refusal.host
  merged.status ??= refusal.status ?? same.refusal.status
  if (!merged.reference) delete merged.reference
  if (!merged.host) delete merged.host
  if (merged.status === undefined) delete merged.status
  // A refusal seen inside a login step is a login refusal, whatever the line alone suggests.
  if (line.step && /login/i.test(line.step) && merged.source === 'registry') merged.step = 'login'
  same.refusal = merged
}
