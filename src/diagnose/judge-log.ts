// Pure: a failed job's log (and, when given, its workflow file and what the REST API said about
// the run) → the cause, through the same path the action takes. The refusal lines become the
// registry's answers (ProbeResults), the log's "Set up job" facts and the workflow file become
// the run's context and WorkflowFacts, and judge() merges them exactly as it does for a live run:
// "Write organization package" + a job without packages: write is one packages-permission-missing
// on that line, with the registry's words as proof.
//
// Where the evidence cannot tell causes apart, the finding names the most likely one and lists
// the others (refusal-causes.ts), and every finding says which log lines decided it.

import { dedupe } from '../decision/causes.js'
import { makeFinding } from '../findings/catalogue.js'
import { repoSecretsUrl } from '../findings/links.js'
import type { Finding, FindingId, Place } from '../findings/types.js'
import { judge } from '../decision/judge.js'
import type { RunContext } from '../context.js'
import { apiUrlForServer, registryForServer } from '../context.js'
import type { Inputs } from '../inputs.js'
import { planRun } from '../preflight/plan.js'
import type { FallbackAnswers, OwnerKind, PreflightFacts } from '../preflight/facts.js'
import type { ProbeResult } from '../registry/probe-all.js'
import { rankCauses, type CauseFacts } from '../registry/refusal-causes.js'
import { toProbeOutcome, type PrintedRefusal } from '../registry/refusal-text.js'
import type { CredentialSource } from '../registry/types.js'
import { SEVERITY_ORDER } from '../decision/severities.js'
import type { TokenKind } from '../token/kind.js'
import type { WorkflowFacts } from '../workflow-facts.js'
import type { LogFacts, RefusalSeen } from './log-facts.js'
import type { LogLine } from './log-lines.js'
import { readWorkflowSide, type LoginCredential, type WorkflowInput } from './workflow-side.js'

/** What the REST API said about the run (`--run`), which outranks what the log suggests. */
export interface RunInfo {
  repository?: string
  serverUrl?: string
  eventName?: string
  actor?: string
  triggeringActor?: string
  /** owner/repo of the pull request's head, when the run is for one. */
  headRepository?: string
  pullRequest?: number
  /** The job's display name, to find it in the workflow file. */
  jobName?: string
}

export interface DiagnoseInput {
  log: LogFacts
  workflow?: WorkflowInput
  run?: RunInfo
  /** The log's name (a job's file in the run's archive), a hint for the job in the workflow. */
  documentName?: string
  /** From the environment, used only when neither the run nor the log says. */
  defaults?: { repository?: string; serverUrl?: string }
}

export interface Diagnosis {
  /** Errors first; the first error is the cause. */
  findings: Finding[]
  /** No registry refusal in the log. */
  clean: boolean
  /** The facts read, one line each, for the text report. */
  facts: string[]
}

/** Stand-ins for token values: diagnose never sees a token, but the plan wants non-empty inputs. */
const RUN_TOKEN = 'run-token-from-the-log'
const SECRET = 'secret-from-the-log'
/** The permissions a repository created since February 2023 gives a job that declares none. */
const RESTRICTED_DEFAULT = ['contents:read', 'metadata:read', 'packages:read']

export function diagnoseLog(given: DiagnoseInput): Diagnosis {
  // A dropped connection that a client retried is noise beside an answer the registry did give.
  const answered = given.log.refusals.filter((r) => !r.refusal.unreachable)
  const input =
    answered.length > 0 && answered.length < given.log.refusals.length
      ? { ...given, log: { ...given.log, refusals: answered } }
      : given
  const { log } = input
  const facts = describeFacts(input)
  if (log.refusals.length === 0) return { findings: [], clean: true, facts }

  const setting = settingOf(input)
  const place: Place = {
    serverUrl: setting.serverUrl,
    repository: setting.repository,
    registry: setting.registry,
  }
  const hints = [input.run?.jobName, log.jobName?.value, input.documentName].filter(
    (h): h is string => !!h,
  )
  const side = input.workflow ? readWorkflowSide(input.workflow, place, hints) : undefined
  const untrusted = untrustedOf(input)
  const credential = guessCredential(input, side?.credential, setting)
  const permission = permissionOf(log, side?.facts, untrusted, place)

  const refusals = log.refusals.filter((r) => r.refusal.source === 'registry')
  const clientRefusals = log.refusals.filter((r) => r.refusal.source === 'client')
  const images = imagesOf(input, setting, side?.images ?? [])

  const inputs: Inputs = {
    images: images.map((i) => i.raw),
    githubToken: RUN_TOKEN,
    fallbackToken: credential.source === 'fallback-token' ? SECRET : '',
    probe: true,
    // A failed run is judged as if untrusted runs should fail: the fork is then the error.
    onUntrusted: 'fail',
    onUnverified: 'warn',
    timeoutSeconds: 30,
  }
  if (setting.registryOverride) inputs.registry = setting.registryOverride
  const ctx = contextOf(input, setting, untrusted)
  const plan = planRun(inputs, ctx)
  if (images.length === 0) {
    // No image named anywhere: the plan's default image would be a guess, so probe nothing named.
    plan.images = []
    plan.findings = plan.findings.filter((f) => !f.id.startsWith('image-'))
  }
  // The client refused the name itself: the name is the cause, whatever the action would lower-case.
  if (clientRefusals.length > 0) {
    plan.findings = plan.findings.map((f) =>
      f.id === 'image-name-uppercase' ? { ...f, severity: 'error' as const } : f,
    )
  }
  plan.findings = withClientFindings(clientRefusals, plan.findings, place, {
    untrusted: untrusted?.kind ?? (untrusted === null ? 'none' : undefined),
  })
  if (credential.source === 'none') {
    const said = refusals[0]?.refusal.message ?? refusals[0]?.line.text.trim() ?? 'unauthenticated'
    plan.findings.push(notLoggedIn(credential, place, `"${said}"`))
  }

  const workflow: WorkflowFacts = {
    findings: [...(side?.facts.findings ?? []), ...permission.findings],
    checks: [],
    packages: permission.packages,
    fallbackConfigured: false,
  }
  if (side?.facts && permission.fromFile) workflow.findings = [...side.facts.findings]

  const results = probeResults(
    refusals,
    credential,
    plan.images.map((i) => i.name),
    place,
  )
  const ownerKinds: Record<string, OwnerKind> = {}
  const preflight: PreflightFacts = {
    plan,
    onUntrusted: 'fail',
    probeInput: true,
    workflow,
    ownerKinds,
    ...(results.length > 0 ? { probe: { results, roundTrips: 0, elapsedMs: 0 } } : {}),
    ...(credential.source === 'fallback-token'
      ? { fallback: { kind: credential.kind ?? 'unknown' } satisfies FallbackAnswers }
      : {}),
    packages: [],
    now: new Date(0),
  }
  const judged = judge(preflight).findings

  const causeFacts: CauseFacts = {
    credential: credential.certain ? credential.source : undefined,
    ...(permission.packages !== 'unknown' ? { packages: permission.packages } : {}),
    ...(permission.id ? { permission: permission.id } : {}),
    untrusted: untrusted?.kind ?? (untrusted === null ? 'none' : undefined),
    ...(credential.loggedIn !== undefined ? { loggedIn: credential.loggedIn } : {}),
    otherInstance: plan.registryOnOtherInstance,
  }
  const findings = finish(judged, {
    refusals: log.refusals,
    causeFacts,
    credential,
    place,
    decidedBy: decidedBy(input, permission, untrusted, credential),
  })
  return { findings, clean: false, facts }
}

// ---- where the run happened --------------------------------------------------------------

interface Setting {
  serverUrl: string
  repository: string
  /** The repository is known (not a placeholder). */
  repositoryKnown: boolean
  registry: string
  /** A GitHub registry the refusals name, when it is not this server's own. */
  registryOverride?: string
}

function settingOf(input: DiagnoseInput): Setting {
  const { log, run, defaults } = input
  const serverUrl = trim(
    run?.serverUrl ?? log.serverUrl?.value ?? defaults?.serverUrl ?? 'https://github.com',
  )
  const imageOwner = firstImageOwner(input)
  // The working directory's repository stands in only when the image is its owner's: a log
  // pasted from another repository must not be judged against this one.
  const fallback =
    defaults?.repository &&
    (!imageOwner || defaults.repository.split('/')[0]!.toLowerCase() === imageOwner)
      ? defaults.repository
      : undefined
  const known = run?.repository ?? log.repository?.value ?? fallback
  const named = log.refusals.map((r) => r.refusal.host).find((h) => h && isGitHubRegistry(h))
  let registry = registryForServer(serverUrl)
  const setting: Setting = { serverUrl, repository: '', repositoryKnown: !!known, registry }
  if (named && named.toLowerCase() !== registry) {
    registry = named.toLowerCase()
    setting.registryOverride = registry
    setting.registry = registry
  }
  // Without the repository, the image's own owner stands in: no owner check is then possible.
  setting.repository = known ?? `${imageOwner ?? 'OWNER'}/REPO`
  return setting
}

function isGitHubRegistry(host: string): boolean {
  return /^ghcr\.io$|^containers\./i.test(host)
}

function trim(url: string): string {
  return url.replace(/\/+$/, '')
}

function firstImageOwner(input: DiagnoseInput): string | undefined {
  const refs = [
    ...input.log.refusals.map((r) => r.refusal.reference),
    ...input.log.images.map((i) => i.value),
    ...(input.workflow ? workflowImages(input.workflow.text) : []),
  ]
  for (const ref of refs) {
    if (!ref) continue
    const parts = ref.split('/')
    const owner = hasHost(ref) ? parts[1] : parts.length > 1 ? parts[0] : undefined
    if (owner && !owner.includes('$')) return owner.toLowerCase()
  }
  return undefined
}

/** Literal image names in a workflow file (enough to pick an owner; the file is parsed later). */
function workflowImages(text: string): string[] {
  return [...text.matchAll(/\b((?:ghcr\.io|containers\.[\w.-]+)\/[\w.-]+\/[\w./-]+)/g)].map(
    (m) => m[1]!,
  )
}

interface Untrusted {
  kind: 'fork-pull-request' | 'dependabot-run'
  because: string
  line?: LogLine
}

/** A fork or Dependabot run (null: known to be neither; undefined: unknown). */
function untrustedOf(input: DiagnoseInput): Untrusted | null | undefined {
  const { log, run } = input
  if (run?.headRepository && run.repository) {
    if (run.headRepository.toLowerCase() !== run.repository.toLowerCase()) {
      return {
        kind: 'fork-pull-request',
        because: `the run's head repository is ${run.headRepository}`,
      }
    }
  }
  const actor = run?.actor ?? log.actor?.value
  if (actor === 'dependabot[bot]' || run?.triggeringActor === 'dependabot[bot]') {
    return {
      kind: 'dependabot-run',
      because: 'the run was started by dependabot[bot]',
      ...(log.actor ? { line: log.actor.line } : {}),
    }
  }
  const source = log.secretSource
  if (source?.value === 'Dependabot') {
    return { kind: 'dependabot-run', because: '"Secret source: Dependabot"', line: source.line }
  }
  if (source?.value === 'None' && !run?.headRepository) {
    return {
      kind: 'fork-pull-request',
      because: '"Secret source: None" (GitHub passes no secrets to a pull request from a fork)',
      line: source.line,
    }
  }
  if (source || run?.eventName) return null
  return undefined
}

function contextOf(
  input: DiagnoseInput,
  s: Setting,
  untrusted: Untrusted | null | undefined,
): RunContext {
  const { log, run } = input
  const actor =
    run?.actor ??
    log.actor?.value ??
    (untrusted?.kind === 'dependabot-run' ? 'dependabot[bot]' : '')
  let eventName = run?.eventName ?? log.eventName?.value ?? ''
  const event: Record<string, unknown> = {}
  if (untrusted?.kind === 'fork-pull-request') {
    if (!/^pull_request/.test(eventName)) eventName = 'pull_request'
    const pr: Record<string, unknown> = {
      head: { repo: { full_name: run?.headRepository ?? 'another repository', fork: true } },
    }
    const number = run?.pullRequest ?? Number(log.pullRequestRef?.value ?? NaN)
    if (Number.isFinite(number)) pr.number = number
    event.pull_request = pr
  }
  return {
    serverUrl: s.serverUrl,
    apiUrl: apiUrlForServer(s.serverUrl),
    repository: s.repository,
    owner: s.repository.split('/')[0]!,
    actor,
    triggeringActor: run?.triggeringActor ?? actor,
    eventName,
    event,
    defaultRegistry: registryForServer(s.serverUrl),
  }
}

// ---- the images ----------------------------------------------------------------------------

interface ImageSeen {
  raw: string
}

/** The refused references first (with the registry host added to bare paths), else what was pushed. */
function imagesOf(input: DiagnoseInput, s: Setting, fromFile: string[]): ImageSeen[] {
  const out: ImageSeen[] = []
  const add = (ref: string | undefined) => {
    if (!ref) return
    if (!out.some((o) => o.raw.toLowerCase() === ref.toLowerCase())) out.push({ raw: ref })
  }
  // Clients print the refused repository without its host (podman's "destination repository
  // o/i", buildx's "repository name (O/i) must be lowercase"): it is on the registry they talked to.
  for (const r of input.log.refusals) {
    const ref = r.refusal.reference
    if (ref) add(hasHost(ref) ? ref : `${r.refusal.host ?? s.registry}/${ref}`)
  }
  if (out.length > 0) return out
  const onRegistry = input.log.images.filter((i) => hostOf(i.value) === s.registry)
  for (const i of onRegistry.length > 0 ? onRegistry : input.log.images) add(i.value)
  if (out.length > 0) return out
  for (const raw of fromFile) add(raw)
  return out
}

function hasHost(ref: string): boolean {
  const first = ref.split('/')[0]!
  return ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')
}

function hostOf(ref: string): string | undefined {
  return hasHost(ref) ? ref.split('/')[0]!.toLowerCase() : undefined
}

// ---- the credential ------------------------------------------------------------------------

interface CredentialGuess {
  source: CredentialSource | 'none'
  kind?: TokenKind
  /** A fact settles it (the refusal's words, the workflow file, an App token step, a refused login). */
  certain: boolean
  because?: string
  line?: LogLine
  login?: LoginCredential
  loggedIn?: boolean
}

/** Which credential the refused push used: the refusal's words, the workflow, then the log. */
function guessCredential(
  input: DiagnoseInput,
  fromFile: LoginCredential | undefined,
  s: Setting,
): CredentialGuess {
  const { log } = input
  for (const r of log.refusals) {
    const m = r.refusal.message ?? ''
    if (/permission_denied:\s*installation not allowed/i.test(m)) {
      return {
        source: 'fallback-token',
        kind: 'app',
        certain: true,
        line: r.line,
        because:
          'ghcr.io prefixes "permission_denied:" to its installation refusal only for a GitHub App token that is not the run\'s own',
      }
    }
    if (/does not match expected scopes/i.test(m)) {
      return {
        source: 'fallback-token',
        kind: fromFile?.kind === 'app' ? 'app' : 'unknown',
        certain: true,
        line: r.line,
        because: 'only a personal access token or an OAuth token has scopes to mismatch',
      }
    }
    if (/forbids access via a personal access token \(classic\)/i.test(m)) {
      return {
        source: 'fallback-token',
        kind: 'classic',
        certain: true,
        line: r.line,
        because: 'the organisation refuses a classic personal access token',
      }
    }
  }
  // The client asked the token service anonymously: whatever the workflow says, no credentials
  // for this registry reached the push.
  const anonymous = log.refusals.find((r) => r.refusal.anonymous)
  if (anonymous) {
    return {
      source: 'none',
      certain: true,
      loggedIn: false,
      line: anonymous.line,
      because: `the client fetched an anonymous token: it had no credentials for ${s.registry}`,
    }
  }
  // "No login step" in the file is moot when the registry knew the token (an authenticated
  // refusal): the job logged in some other way (a script, a composite action).
  const authenticated = log.refusals.some(
    (r) => r.refusal.source === 'registry' && toProbeOutcome(r.refusal).verdict === 'denied',
  )
  if (fromFile && !(fromFile.source === 'none' && authenticated)) {
    return {
      source: fromFile.source,
      ...(fromFile.kind ? { kind: fromFile.kind } : {}),
      certain: true,
      because: `the login in ${fromFile.file}: ${fromFile.because}`,
      login: fromFile,
      loggedIn: fromFile.source !== 'none',
    }
  }
  const first = log.refusals[0]!
  if (log.appTokenStep && log.appTokenStep.line.n < first.line.n) {
    return {
      source: 'fallback-token',
      kind: 'app',
      certain: true,
      line: log.appTokenStep.line,
      because: `the job minted a GitHub App installation token (${log.appTokenStep.value}) before the push`,
      loggedIn: log.logins.length > 0 ? true : undefined,
    }
  }
  const loginRefused = log.refusals.find(
    (r) =>
      r.refusal.source === 'registry' &&
      (r.refusal.step === 'login' || r.refusal.step === 'token') &&
      toProbeOutcome(r.refusal).verdict === 'unauthorized',
  )
  if (loginRefused && !s.registryOverride) {
    return {
      source: 'fallback-token',
      kind: 'unknown',
      certain: true,
      line: loginRefused.line,
      because:
        "the registry refused the login itself, which it never does to a run's own GITHUB_TOKEN: the password was another token (a secret)",
    }
  }
  const wholeLog = isWholeJobLog(log)
  const loginsBefore = log.logins.filter(
    (l) =>
      l.line.n < first.line.n &&
      (!l.registry || l.registry === s.registry) &&
      l.how !== 'the runner (container image)',
  )
  // ghcr.io answers a client without credentials "requested access to the resource is denied" too.
  const unauthenticated = log.refusals.some(
    (r) =>
      r.refusal.source === 'registry' &&
      (toProbeOutcome(r.refusal).verdict === 'unauthorized' ||
        /requested access to the resource is denied/i.test(r.refusal.message ?? '')),
  )
  if (wholeLog && loginsBefore.length === 0 && unauthenticated) {
    return {
      source: 'none',
      certain: true,
      loggedIn: false,
      because: `the log shows no login to ${s.registry} before the push`,
      line: first.line,
    }
  }
  return {
    source: 'github-token',
    certain: false,
    ...(wholeLog ? { loggedIn: loginsBefore.length > 0 } : {}),
  }
}

/** The log has the runner's own lines, not just a pasted error. */
function isWholeJobLog(log: LogFacts): boolean {
  return !!(log.permissions || log.secretSource || log.runner || log.repository) || log.lines > 20
}

function notLoggedIn(c: CredentialGuess, place: Place, said: string): Finding {
  const file = c.login?.file
  const why = c.login
    ? `${c.login.file} shows no login step for ${place.registry} in the job before the push`
    : (c.because ?? `the log shows no login to ${place.registry} before the push`)
  return makeFinding('registry-login-missing', place, {
    message: `The push was refused as unauthenticated (${said}), and ${why}: the client had no credentials for ${place.registry} to send.`,
    ...(file ? { file } : {}),
    ...(c.login?.line ? { line: c.login.line } : {}),
    ...(c.login?.column ? { column: c.login.column } : {}),
  })
}

// ---- the job's packages permission -----------------------------------------------------------

interface PermissionSeen {
  packages: 'write' | 'not-write' | 'unknown'
  /** Which permission finding the facts settle, when they do. */
  id?: 'packages-permission-missing' | 'packages-permission-undeclared'
  findings: Finding[]
  /** The workflow file decided (its located finding is kept, nothing is added from the log). */
  fromFile: boolean
  because?: string
  line?: LogLine
}

function permissionOf(
  log: LogFacts,
  file: WorkflowFacts | undefined,
  untrusted: Untrusted | null | undefined,
  place: Place,
): PermissionSeen {
  const listed = log.permissions
  const packagesInLog = listed ? (listed.scopes.get('Packages') ?? 'none') : undefined
  const logValue =
    packagesInLog === undefined ? undefined : packagesInLog === 'write' ? 'write' : 'not-write'
  const fileValue = file && file.packages !== 'unknown' ? file.packages : undefined

  if (fileValue) {
    const seen: PermissionSeen = { packages: logValue ?? fileValue, findings: [], fromFile: true }
    if (listed) {
      seen.line = listed.line
      seen.because = `GITHUB_TOKEN Permissions (log line ${listed.line.n}) lists ${packagesInLog === 'none' ? 'no Packages scope' : `Packages: ${packagesInLog}`}`
    }
    const located = file!.findings.find(
      (f) => f.id === 'packages-permission-missing' || f.id === 'packages-permission-undeclared',
    )
    if (located) seen.id = located.id as PermissionSeen['id']
    // The file grants write but the token did not get it: a fork or Dependabot run says why; else
    // the analysed file is not what ran (another commit, or a reusable workflow's caller).
    if (fileValue === 'write' && logValue === 'not-write' && !untrusted) {
      seen.fromFile = false
      seen.findings.push(
        makeFinding('packages-permission-missing', place, {
          message: `The job's token had Packages: ${packagesInLog} (GITHUB_TOKEN Permissions, log line ${listed!.line.n}) although the workflow file grants packages: write: the file analysed is not the one that ran (another commit), or the job runs in a reusable workflow whose calling job grants less`,
        }),
      )
    }
    return seen
  }
  if (!listed || !logValue) return { packages: 'unknown', findings: [], fromFile: false }
  const seen: PermissionSeen = {
    packages: logValue,
    findings: [],
    fromFile: false,
    line: listed.line,
    because: `GITHUB_TOKEN Permissions (log line ${listed.line.n}) lists ${packagesInLog === 'none' ? 'no Packages scope' : `Packages: ${packagesInLog}`}`,
  }
  // A fork's token is read-only whatever the file says: the list shows the fork, not the file.
  if (logValue === 'write' || untrusted?.kind === 'fork-pull-request') return seen
  const scopes = [...listed.scopes].map(([k, v]) => `${k.toLowerCase()}:${v}`).sort()
  const restricted =
    scopes.length === RESTRICTED_DEFAULT.length &&
    scopes.every((s, i) => s === RESTRICTED_DEFAULT[i])
  const shown = [...listed.scopes].map(([k, v]) => `${k}: ${v}`).join(', ')
  // No Packages line at all can only come from a block that leaves it out; the restricted default
  // list could also be a block naming exactly those scopes.
  if (packagesInLog === 'none') seen.id = 'packages-permission-missing'
  seen.findings.push(
    restricted
      ? makeFinding('packages-permission-undeclared', place, {
          severity: 'error',
          message: `The job's token had only ${shown} (GITHUB_TOKEN Permissions, log line ${listed.line.n}): exactly the read-only default a job gets when neither it nor the workflow declares \`permissions\` (a block listing just contents: read and packages: read gives the same list). It needs packages: write to push`,
        })
      : makeFinding('packages-permission-missing', place, {
          message: `The job's token had ${shown || 'no scopes'} (GITHUB_TOKEN Permissions, log line ${listed.line.n}): ${packagesInLog === 'none' ? 'no packages scope at all, so a permissions block leaves packages out' : 'packages: read only'}. It needs packages: write to push`,
        }),
  )
  return seen
}

// ---- the registry's answers ---------------------------------------------------------------

function probeResults(
  refusals: RefusalSeen[],
  credential: CredentialGuess,
  images: string[],
  place: Place,
): ProbeResult[] {
  if (credential.source === 'none') return []
  const source: CredentialSource = credential.source
  return refusals.map((r) => {
    const image = imageFor(r.refusal, images, place)
    return {
      image,
      repository: image.split('/').slice(1).join('/'),
      credential: source,
      outcome: toProbeOutcome(r.refusal),
    }
  })
}

function imageFor(r: PrintedRefusal, images: string[], place: Place): string {
  const ref = r.reference?.toLowerCase().replace(/[:@].*$/, '')
  const match = ref ? images.find((i) => i === ref || i.endsWith(`/${ref}`)) : undefined
  // No image named anywhere: a placeholder the messages and links show as one.
  return match ?? images[0] ?? `${place.registry}/OWNER/IMAGE`
}

/**
 * The planned findings with what stopped the push before the registry: a new error, or the
 * planned finding of the same id raised to an error (the plan warns about a docker.io image it
 * will not check; here that image is the push that failed).
 */
function withClientFindings(
  refusals: RefusalSeen[],
  planned: Finding[],
  place: Place,
  facts: CauseFacts,
): Finding[] {
  const out = [...planned]
  for (const r of refusals) {
    const [id] = rankCauses(r.refusal, facts)
    if (!id) continue
    const message = clientMessage(r.refusal, id, place)
    const i = out.findIndex((f) => f.id === id)
    if (i >= 0) {
      if (out[i]!.severity !== 'error') out[i] = { ...out[i]!, severity: 'error', message }
      continue
    }
    const at = r.refusal.at
    // The log's login takes its secret through `password:` (or `username:`), not the action's
    // fallback-token input the catalogue's fix names.
    const fix =
      r.refusal.reason === 'no-credential' && id === 'fallback-token-missing'
        ? [
            `Check that the secret the login step's \`password:\` (and \`username:\`) reads exists under exactly that name at ${repoSecretsUrl(place)} (an organisation secret must be shared with this repository, a reusable workflow must be passed it with \`secrets:\`)`,
          ]
        : []
    out.push({
      ...makeFinding(id, place, {
        message,
        ...(fix.length > 0 ? { fix } : {}),
        ...(at ? { file: at.file } : {}),
        ...(at?.line ? { line: at.line } : {}),
        ...(at?.column ? { column: at.column } : {}),
        ...(at?.callee ? { details: { callee: at.callee } } : {}),
      }),
      // Whatever the catalogue's default, this is what stopped the push.
      severity: 'error',
    })
  }
  return out
}

/** What stopped the push before the registry could answer, in the words of the log. */
function clientMessage(r: PrintedRefusal, id: FindingId, place: Place): string {
  const said = `"${r.message ?? r.fragment}"`
  switch (r.reason) {
    case 'no-credential':
      return `The login to ${place.registry} stopped before sending anything (${said}): the username or password it was given is empty. ${
        id === 'fork-pull-request'
          ? 'A pull request from a fork gets no secrets, so a login from a secret has nothing to send.'
          : id === 'dependabot-run'
            ? 'A Dependabot run gets only Dependabot secrets, so an Actions secret is empty there.'
            : 'The secret does not exist under that name, is not passed to this workflow, or is withheld from this run (fork pull requests get no secrets; Dependabot runs only Dependabot secrets).'
      }`
    case 'workflow-permission':
      return `GitHub refused to start the run (${said}): a called workflow can only lower the permissions its calling job grants, so the calling job${r.at ? ` in ${r.at.file}${r.at.line ? ` (line ${r.at.line})` : ''}` : ''} must grant packages: write itself.`
    case 'unknown-host':
      return `The push went to ${r.host}, which is not a registry (${said}): the image name has a typo for ${place.registry}.`
    case 'other-registry':
      return `The refused request went to Docker Hub (${r.reference ?? r.host}), not ${place.registry} (${said}): an image name without a registry host is pushed to Docker Hub. If the image is meant for Docker Hub, its Docker Hub login failed, which is outside what ghcr-preflight checks.`
    default:
      return `The client refused the image name before sending anything (${said})${id === 'image-name-invalid' ? ': a part of the name is empty, starts or ends with a separator, or holds a character no image name may hold' : ': image names must be lower-case'}.`
  }
}

// ---- the report ----------------------------------------------------------------------------

interface FinishContext {
  refusals: RefusalSeen[]
  causeFacts: CauseFacts
  credential: CredentialGuess
  place: Place
  decidedBy: string[]
}

/**
 * The id classify.ts gives an answer it has no words for: the ranking names the likely cause
 * instead. ("…organization package" findings keep their id: their text already names both
 * usual causes, and the facts, when there are any, settle them in judge().)
 */
const GENERIC: readonly FindingId[] = ['github-token-denied']

function finish(judged: Finding[], c: FinishContext): Finding[] {
  const main = c.refusals.find((r) => r.refusal.source === 'registry') ?? c.refusals[0]!
  let findings = judged.filter((f) => f.id !== 'probe-disabled')
  // A cause the facts already located (an image outside the owner's namespace, a registry of
  // another instance) explains a refusal that has no words of its own.
  const located = findings
    .filter((f) => f.severity === 'error' && !GENERIC.includes(f.id))
    .map((f) => f.id)
  const ranked = first(rankCauses(main.refusal, c.causeFacts), located)
  // The push did not use the run's token: what the job's permissions say is a side note.
  if (c.credential.source !== 'github-token') {
    findings = findings.map((f) =>
      f.id === 'packages-permission-missing' || f.id === 'packages-permission-undeclared'
        ? { ...f, severity: 'warning' as const }
        : f,
    )
  }
  // The refusal proves the App token cannot push here, whatever the namespace; the registry's
  // installation refusal only restates it.
  if (findings.some((f) => f.id === 'fallback-token-app-token')) {
    findings = findings
      .filter((f) => !RESTATES_APP_TOKEN.includes(f.id))
      .map((f) =>
        f.id === 'fallback-token-app-token'
          ? { ...f, severity: 'error' as const, message: APP_TOKEN_REFUSED(refusalText(c)) }
          : f,
      )
  }
  findings = findings.map((f) => ({ ...f, message: inDiagnoseWords(f.message) }))
  findings = findings.map((f) => (GENERIC.includes(f.id) ? rename(f, ranked, c) : f))
  findings = dedupe(findings)
  // Causes settled by a fact about the credential come before what the registry restates.
  findings.sort(
    (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || rank(a) - rank(b),
  )
  const lead = findings.find((f) => f.severity === 'error')
  return findings.map((f) => {
    const line = evidenceFor(f, c)
    const out: Finding = { ...f, evidence: line.text.trim() }
    EVIDENCE_LINES.set(out, line.n)
    if (f === lead) {
      const others = ranked.filter((id) => id !== f.id && id !== 'probe-inconclusive')
      if (others.length > 0) out.candidates = [f.id, ...others]
      if (c.decidedBy.length > 0)
        out.message = appendSentence(out.message, `Decided by: ${c.decidedBy.join('; ')}.`)
    }
    EVIDENCE_LINES.set(out, line.n)
    return out
  })
}

const RESTATES_APP_TOKEN: readonly FindingId[] = [
  'org-package-create-denied',
  'org-package-write-denied',
  'github-token-denied',
  // classify.ts's reading of a bare refusal of a secret: the App token explains it.
  'fallback-token-scopes',
  'fallback-token-invalid',
]

const APP_TOKEN_REFUSED = (said: string): string =>
  `The job logged in with a GitHub App installation token that is not this run's own GITHUB_TOKEN, and GitHub Packages accepts no App token but a run's own, whatever permissions the App has: ghcr.io refused it (${said}).`

function refusalText(c: FinishContext): string {
  const main = c.refusals.find((r) => r.refusal.source === 'registry')?.refusal
  if (!main) return 'the push was refused'
  return [main.status, main.code, main.message ? `"${main.message}"` : ''].filter(Boolean).join(' ')
}

/** The action's words for its own inputs, said the way a job log's reader knows them. */
function inDiagnoseWords(message: string): string {
  return message
    .split('The fallback token (fallback-token input)')
    .join('The token the job logged in with')
    .split('the fallback token (fallback-token input)')
    .join('the token the job logged in with')
    .split('The fallback token')
    .join('The token the job logged in with')
}

function first(causes: FindingId[], front: FindingId[]): FindingId[] {
  const lead = front.filter((id) => causes.includes(id))
  return [...new Set([...lead, ...causes])]
}

function rank(f: Finding): number {
  if (f.id === 'fallback-token-app-token' || f.id === 'fallback-token-fine-grained') return 0
  if (f.id === 'registry-login-missing' || f.id === 'registry-host-mismatch') return 0
  return 1
}

/** A generic refusal finding → the most likely cause, keeping the registry's words. */
function rename(f: Finding, ranked: FindingId[], c: FinishContext): Finding {
  const top = ranked.find((id) => !GENERIC.includes(id))
  if (!top || top === 'probe-inconclusive') return f
  const others = ranked.filter((id) => id !== top)
  const likely =
    others.length > 0
      ? `The answer alone does not name its cause; most likely ${describe(top)}${others.length > 0 ? `, else ${others.map(describe).join('; or ')}` : ''}.`
      : `That answer means ${describe(top)}.`
  // The registry's words, then the likely cause: the classifier's generic sentence about "the
  // run's token" would contradict a cause about another credential.
  const image = f.image && !f.image.endsWith('/OWNER/IMAGE') ? f.image : undefined
  const said = `${c.place.registry} refused the push${image ? ` of ${image}` : ''}: ${refusalText(c)}.`
  const renamed = makeFinding(top, c.place, {
    message: `${said} ${likely}`,
    ...(image ? { image, details: { image } } : {}),
  })
  return { ...renamed, severity: 'error' }
}

const DESCRIBE: Partial<Record<FindingId, string>> = {
  'packages-permission-undeclared':
    "the job's token lacks packages: write because neither the job nor the workflow declares `permissions` and the repository default is read-only",
  'packages-permission-missing': "the job's permissions block leaves out packages: write",
  'package-not-linked':
    'the package exists and does not give this repository Write under "Manage Actions access"',
  'image-owner-mismatch': "the image's namespace is not the repository owner",
  'fork-pull-request': 'a pull request from a fork (read-only token)',
  'dependabot-run': 'a Dependabot run (read-only token)',
  'fallback-token-app-token': "the password is a GitHub App token other than the run's own",
  'fallback-token-invalid': 'the password is an expired, revoked or wrong token',
  'fallback-token-sso': "the token is not authorised for the organisation's SAML SSO",
  'fallback-token-scopes': 'the token lacks the write:packages scope',
  'fallback-token-fine-grained': 'a fine-grained token, which GitHub Packages does not accept',
  'fallback-token-owner-mismatch':
    'the token belongs to an account without write access to the package',
  'registry-host-mismatch': "the run's token belongs to another GitHub instance than the registry",
  'registry-login-missing': 'the job did not log in to the registry before pushing',
  'org-package-create-denied':
    'an organisation policy refuses to create the package (or the name has a typo)',
  'image-name-invalid': 'the image name is invalid (an empty part such as ghcr.io//app)',
}

function describe(id: FindingId): string {
  return DESCRIBE[id] ?? id
}

/** The log line number of each finding's evidence (kept beside the contract's shape). */
const EVIDENCE_LINES = new WeakMap<Finding, number>()

export function evidenceLineOf(f: Finding): number | undefined {
  return EVIDENCE_LINES.get(f)
}

function evidenceFor(f: Finding, c: FinishContext): LogLine {
  const main = c.refusals.find((r) => r.refusal.source === 'registry') ?? c.refusals[0]!
  const client = c.refusals.find((r) => r.refusal.source === 'client')
  return f.id.startsWith('image-') && client ? client.line : main.line
}

function appendSentence(message: string, sentence: string): string {
  const m = message.trimEnd()
  return `${m}${/[.!?]$/.test(m) ? '' : '.'} ${sentence}`
}

function decidedBy(
  input: DiagnoseInput,
  permission: PermissionSeen,
  untrusted: Untrusted | null | undefined,
  credential: CredentialGuess,
): string[] {
  const out: string[] = []
  const first = input.log.refusals[0]
  if (first) out.push(`the refusal at log line ${first.line.n}`)
  if (permission.because) out.push(permission.because)
  if (permission.fromFile && input.workflow)
    out.push(`the permissions of the job in ${input.workflow.path}`)
  if (untrusted)
    out.push(`${untrusted.because}${untrusted.line ? ` (log line ${untrusted.line.n})` : ''}`)
  if (credential.certain && credential.because) {
    out.push(`${credential.because}${credential.line ? ` (log line ${credential.line.n})` : ''}`)
  }
  return out
}

function describeFacts(input: DiagnoseInput): string[] {
  const { log, run } = input
  const out: string[] = []
  const at = (l: LogLine) => ` (line ${l.n})`
  if (run?.repository) out.push(`repository: ${run.repository} (REST API)`)
  else if (log.repository) out.push(`repository: ${log.repository.value}${at(log.repository.line)}`)
  if (log.serverUrl) out.push(`server: ${log.serverUrl.value}${at(log.serverUrl.line)}`)
  if (run?.eventName) out.push(`event: ${run.eventName} (REST API)`)
  else if (log.eventName) out.push(`event: ${log.eventName.value}${at(log.eventName.line)}`)
  if (log.actor) out.push(`actor: ${log.actor.value}${at(log.actor.line)}`)
  if (log.runner) out.push(`runner: ${log.runner.value}${at(log.runner.line)}`)
  if (log.permissions) {
    const list = [...log.permissions.scopes].map(([k, v]) => `${k}: ${v}`).join(', ')
    out.push(`GITHUB_TOKEN Permissions: ${list || '(none)'}${at(log.permissions.line)}`)
  }
  if (log.secretSource)
    out.push(`Secret source: ${log.secretSource.value}${at(log.secretSource.line)}`)
  for (const l of log.logins)
    out.push(
      `login: ${l.how}${l.registry ? ` to ${l.registry}` : ''}${l.succeeded ? ' (succeeded)' : ''}${at(l.line)}`,
    )
  if (log.appTokenStep)
    out.push(`GitHub App token: ${log.appTokenStep.value}${at(log.appTokenStep.line)}`)
  for (const r of log.refusals) {
    const what =
      r.refusal.reason === 'workflow-permission'
        ? 'refused by GitHub Actions'
        : r.refusal.reason === 'other-registry'
          ? 'refused by Docker Hub'
          : r.refusal.unreachable
            ? 'the registry could not be reached'
            : r.refusal.source === 'client'
              ? 'stopped before the registry'
              : 'refused by the registry'
    out.push(`${what}${at(r.line)}: ${r.line.text.trim().slice(0, 200)}`)
  }
  return out
}
