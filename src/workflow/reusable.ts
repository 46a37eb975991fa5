// Reusable workflows: a called workflow can only narrow the permissions its calling job grants.
// When one of its jobs asks for more, GitHub refuses to start the run (startup_failure, zero jobs);
// when one of its jobs declares nothing, it runs with exactly what the caller grants. So each
// calling job is checked against what its callee needs, through chains of calls
// (A → B → C: B's calling job without a block passes A's grant on to C) and `$/` callees, with
// the callee's jobs judged exactly as they are judged alone (the same push detection), using the
// secrets the caller passes.
//
// GitHub docs (reusing-workflow-configurations): "The GITHUB_TOKEN permissions passed from the
// caller workflow can be only downgraded (not elevated) by the called workflow"; "If workflow A
// calls B and B calls C, … C cannot have package: write permission" unless A grants it.

import { makeFinding } from '../findings/catalogue.js'
import type { Finding, Place, RelatedLocation } from '../findings/types.js'
import type { JobModel, PermissionsBlock, WorkflowModel } from './model.js'
import { parseWorkflow } from './parse.js'
import { effectivePermission, grants, type EffectivePermission } from './permissions.js'
import { findPushes, type PushVerdict, type RepoFiles } from './pushers.js'

export interface WorkflowFile {
  /** Path relative to the folder the check runs in (POSIX separators). */
  path: string
  model: WorkflowModel
}

export interface CeilingOptions {
  /** Reads callees that were not among the files given (and local actions, tool configs). */
  files?: RepoFiles
  /** The repository root of a workflow file ('' or 'sub/dir/'). */
  rootOf?: (path: string) => string
}

/** This project's own reusable workflow: it pushes, so it needs packages: write from its caller. */
const OWN_REUSABLE = /^craigedmunds\/ghcr-preflight\/\.github\/workflows\/[^@]+@/i

const DEFAULT_TEXT =
  'the repository or organisation default, which is read-only for repositories created since February 2023 (Settings → Actions → General → Workflow permissions)'

type Secrets = 'inherit' | ReadonlyMap<string, string> | undefined

interface Pusher {
  /** `file` job id, for messages. */
  job: string
  likely: boolean
  related: RelatedLocation[]
  reason?: string
}

/** What a called workflow needs from the job that calls it. */
interface Need {
  /** Jobs (in the callee or deeper) whose own block requests packages: write. */
  requesting: string[]
  requestingAt: RelatedLocation[]
  /** Jobs that push with the permissions they inherit from the caller. */
  pushers: Pusher[]
  /** All scopes requested down the chain (highest value per scope), for a complete caller block. */
  scopes: Map<string, 'read' | 'write'>
  /** Deeper callees that inherit the grant but could not be read (another repository, missing file). */
  unchecked: string[]
  /**
   * In a chain, the calling job nearest to the requesting job (a job without a block of its own
   * in a called workflow): GitHub reports the refused request on that `uses:` line.
   */
  hop?: { file: string; job: string; line: number; column: number }
  /** Whether the called workflow pushes at all (any job, any token), as its jobs are judged alone. */
  verdict: PushVerdict
}

function emptyNeed(): Need {
  return {
    requesting: [],
    requestingAt: [],
    pushers: [],
    scopes: new Map(),
    unchecked: [],
    verdict: 'no-push',
  }
}

const VERDICT_RANK: Record<PushVerdict, number> = { 'no-push': 0, 'likely-push': 1, push: 2 }

function stronger(a: PushVerdict, b: PushVerdict): PushVerdict {
  return VERDICT_RANK[a] >= VERDICT_RANK[b] ? a : b
}

/** How a job that calls a workflow is judged: by what the called workflow does. */
export interface CallJudgement {
  file: string
  job: string
  /** The called workflow's strongest verdict; no-push when it could not be read. */
  verdict: PushVerdict
}

export function checkReusableCeilings(
  files: WorkflowFile[],
  place: Place,
  options: CeilingOptions = {},
): Finding[] {
  return analyseCalls(files, place, options).findings
}

/** The ceiling findings, and how each calling job is judged (what its callee does). */
export function analyseCalls(
  files: WorkflowFile[],
  place: Place,
  options: CeilingOptions = {},
): { findings: Finding[]; calls: CallJudgement[] } {
  const resolver = new CalleeResolver(files, options)
  const findings: Finding[] = []
  const calls: CallJudgement[] = []
  for (const caller of files) {
    for (const job of caller.model.jobs) {
      if (!job.uses) continue
      const r = checkCall(caller, job, resolver, place, options)
      findings.push(...r.findings)
      calls.push({ file: caller.path, job: job.id, verdict: r.verdict })
    }
  }
  return { findings, calls }
}

function checkCall(
  caller: WorkflowFile,
  job: JobModel,
  resolver: CalleeResolver,
  place: Place,
  options: CeilingOptions,
): { findings: Finding[]; verdict: PushVerdict } {
  const uses = job.uses!.value.trim()
  const grant = effectivePermission(caller.model, job)
  const callee = OWN_REUSABLE.test(uses) ? undefined : resolver.resolve(caller.path, uses)
  const need =
    callee && callee !== 'remote'
      ? resolver.need(callee, job.secrets, new Set([caller.path]), place.registry, options)
      : undefined
  const verdict: PushVerdict = OWN_REUSABLE.test(uses) ? 'push' : (need?.verdict ?? 'no-push')
  // A caller granting write cannot be the problem; a caller that is itself only called passes on
  // its own caller's grant, which is checked one level up.
  if (grant.value === 'write' || grant.level === 'caller') return { findings: [], verdict }
  return { findings: callFindings(caller, job, uses, grant, callee, need, place), verdict }
}

function callFindings(
  caller: WorkflowFile,
  job: JobModel,
  uses: string,
  grant: EffectivePermission,
  callee: WorkflowFile | 'remote' | undefined,
  computed: Need | undefined,
  place: Place,
): Finding[] {
  const at = { file: caller.path, line: job.uses!.line, column: job.uses!.column }
  const details = { job: job.id, callee: uses }
  const notChecked = (message: string, fix: string) =>
    makeFinding('reusable-workflow-not-checked', place, {
      message,
      fix: [fix],
      ...at,
      details,
      permissionFix: { job: job.id, scopes: { packages: 'write' } },
    })
  let need: Need
  if (OWN_REUSABLE.test(uses)) {
    // Its job `push` (.github/workflows/ghcr-push.yml in this repository) asks for these.
    need = emptyNeed()
    need.requesting.push('push')
    need.scopes.set('contents', 'read')
    need.scopes.set('packages', 'write')
  } else {
    if (callee === 'remote') {
      return [
        notChecked(
          `job "${job.id}" calls ${uses}, a workflow in another repository, which was not checked offline: if its jobs push or request packages: write, job "${job.id}" must grant packages: write too`,
          `Check the called workflow's \`permissions:\` blocks and give job "${job.id}" at least the same scopes, e.g.\n${callerYaml(job, uses, new Map([['packages', 'write']]), undefined, place.registry)}`,
        ),
      ]
    }
    if (!callee) {
      return [
        notChecked(
          `job "${job.id}" calls ${uses}, which could not be read, so its permissions were not compared with the caller's`,
          place.tool === 'cli'
            ? `Check that ${calleeRel(uses)} exists in the repository, then lint again`
            : `Lint the called file too, e.g. \`npx ghcr-preflight lint ${calleeRel(uses)}\` together with this one`,
        ),
      ]
    }
    need = computed!
  }
  return compare(caller, job, uses, need, grant, place)
}

function compare(
  caller: WorkflowFile,
  job: JobModel,
  uses: string,
  need: Need,
  grant: EffectivePermission,
  place: Place,
): Finding[] {
  const at = { file: caller.path, line: job.uses!.line, column: job.uses!.column }
  const allowed =
    grant.value === 'default' ? 'read' : grant.value === 'invalid' ? 'none' : grant.value
  const why = grantReason(job, grant)
  const scopes = new Map(need.scopes)
  scopes.set('packages', 'write')
  const fix = [
    `Grant the scopes the called workflow needs on job "${job.id}" (a called workflow can only narrow its caller's permissions; \`ghcr-preflight lint --fix\` writes it):\n${callerYaml(job, uses, scopes, grant, place.registry)}`,
  ]
  const details = { job: job.id, callee: uses, value: grant.value, level: grant.level }
  const permissionFix = { job: job.id, scopes: Object.fromEntries(scopes) }
  if (need.requesting.length > 0) {
    const nested = need.requesting[0]!
    const quoteGitHub = `"The nested job '${nested}' is requesting 'packages: write', but is only allowed 'packages: ${allowed}'."`
    const jobs = need.requesting.map((j) => `"${j}"`).join(', ')
    const common = {
      fix,
      ...at,
      details,
      permissionFix: { ...permissionFix, file: caller.path },
      related: need.requestingAt,
    }
    if (need.hop) {
      // A chain: GitHub reports it on the innermost call, whose job passes on this caller's grant.
      const hop = need.hop
      return [
        makeFinding('reusable-workflow-permission-ceiling', place, {
          ...(grant.level === 'default' ? { severity: 'warning' as const } : {}),
          message:
            `job "${hop.job}" has no permissions block, so the workflow it calls gets only what job "${job.id}" in ${caller.path} grants (${why}), and its job ${jobs} requests packages: write; ` +
            `GitHub refuses to start the run: ${quoteGitHub}`,
          ...common,
          file: hop.file,
          line: hop.line,
          column: hop.column,
          related: [
            { ...at, message: `job "${job.id}" calls ${uses} with packages: ${allowed}` },
            ...need.requestingAt,
          ],
        }),
      ]
    }
    if (grant.level === 'default') {
      return [
        makeFinding('reusable-workflow-permission-ceiling', place, {
          severity: 'warning',
          message:
            `job "${job.id}" calls ${uses}, whose job ${jobs} requests packages: write, but ${why}, so the called workflow is capped at ${DEFAULT_TEXT}. ` +
            `Where the default is read-only, GitHub refuses to start the run with ${quoteGitHub}`,
          ...common,
        }),
      ]
    }
    return [
      makeFinding('reusable-workflow-permission-ceiling', place, {
        message:
          `job "${job.id}" calls ${uses}, whose job ${jobs} requests packages: write, but ${why}; ` +
          `GitHub refuses to start the run: ${quoteGitHub}`,
        ...common,
      }),
    ]
  }
  if (need.pushers.length > 0) {
    const sure = need.pushers.filter((p) => !p.likely)
    const shown = sure.length ? sure : need.pushers
    const jobs = shown.map((p) => `"${p.job}"`).join(', ')
    const verb = sure.length ? 'pushes' : 'may push'
    const reason = sure.length ? '' : ` (${shown[0]!.reason})`
    const related = shown.flatMap((p) => p.related)
    const common = {
      fix,
      details,
      permissionFix: sure.length ? permissionFix : { ...permissionFix, likely: true },
      related,
      ...(sure.length ? {} : { severity: 'warning' as const }),
    }
    if (grant.level === 'default') {
      return [
        makeFinding('packages-permission-undeclared', place, {
          // Kept short: why the callee may push goes into the fix steps.
          message: `job "${job.id}" calls ${uses}, whose job ${jobs} ${verb} to ${place.registry} with what job "${job.id}" grants, and it declares no permissions (the repository default applies)`,
          ...common,
          fix: [
            ...(reason ? [`Check whether it pushes:${reason.replace(/^ \((.*)\)$/, ' $1')}`] : []),
            ...fix,
          ],
          file: caller.path,
          line: job.pos.line,
          column: job.pos.column,
        }),
      ]
    }
    return [
      makeFinding('packages-permission-missing', place, {
        message: `job "${job.id}" calls ${uses}, whose job ${jobs} ${verb} to ${place.registry} with the permissions it inherits from the caller, but ${why}: the push will be denied${reason}`,
        ...common,
        file: caller.path,
        line: grant.location.line,
        column: grant.location.column,
      }),
    ]
  }
  if (need.unchecked.length > 0) {
    return [
      makeFinding('reusable-workflow-not-checked', place, {
        message: `job "${job.id}" calls ${uses}, which calls ${need.unchecked.join(', ')} without a permissions block of its own; that workflow could not be read here, so whether it needs packages: write was not checked`,
        fix: [
          `If it pushes, grant it on job "${job.id}":\n${callerYaml(job, uses, new Map([['packages', 'write']]), grant, place.registry)}`,
        ],
        ...at,
        details,
        permissionFix: { job: job.id, scopes: { packages: 'write' } },
      }),
    ]
  }
  return []
}

/** Finds and parses callees (given files first, then the repository), and computes their needs. */
class CalleeResolver {
  private readonly byPath: Map<string, WorkflowFile>
  private readonly read = new Map<string, WorkflowFile | undefined>()
  private readonly needs = new Map<string, Need>()

  constructor(
    files: WorkflowFile[],
    private readonly options: CeilingOptions,
  ) {
    this.byPath = new Map(files.map((f) => [f.path, f]))
  }

  /** The callee's file, `remote` for another repository, undefined when it cannot be read. */
  resolve(callerPath: string, uses: string): WorkflowFile | 'remote' | undefined {
    const rel = localCallee(uses)
    if (rel === undefined) return 'remote'
    const root = this.options.rootOf?.(callerPath) ?? rootOfPath(callerPath)
    const path = root + rel
    const given = this.byPath.get(path)
    if (given) return given
    if (!this.read.has(path)) {
      const text = this.options.files?.read(path)
      const parsed = text === undefined ? undefined : parseWorkflow(text, path)
      this.read.set(path, parsed?.ok ? { path, model: parsed.workflow } : undefined)
    }
    const found = this.read.get(path)
    if (found) return found
    // A lone file linted outside its repository: a callee beside it.
    if (!callerPath.includes('.github/workflows/')) {
      const sameDir = callerPath.slice(0, callerPath.lastIndexOf('/') + 1) + rel.split('/').pop()
      return this.byPath.get(sameDir)
    }
    return undefined
  }

  need(
    callee: WorkflowFile,
    secrets: Secrets,
    visiting: Set<string>,
    registry: string,
    options: CeilingOptions,
  ): Need {
    // A callee called without secrets is judged the same way by every caller: once.
    const cacheable = secrets === undefined && visiting.size === 1
    const cached = cacheable ? this.needs.get(callee.path) : undefined
    if (cached) return cached
    const need = this.computeNeed(callee, secrets, visiting, registry, options)
    if (cacheable) this.needs.set(callee.path, need)
    return need
  }

  private computeNeed(
    callee: WorkflowFile,
    secrets: Secrets,
    visiting: Set<string>,
    registry: string,
    options: CeilingOptions,
  ): Need {
    const need = emptyNeed()
    if (visiting.has(callee.path)) return need
    const inner = new Set(visiting).add(callee.path)
    const model = callee.model
    const rootOf = options.rootOf ?? rootOfPath
    for (const job of model.jobs) {
      const block = job.permissions ?? model.permissions
      if (block) addScopes(need.scopes, block)
      const pushes = job.uses
        ? undefined
        : findPushes(model, job, registry, {
            root: rootOf(callee.path),
            ...(options.files ? { files: options.files } : {}),
            ...(secrets ? { secrets } : {}),
          })
      if (pushes) need.verdict = stronger(need.verdict, pushes.verdict)
      let deeper: Need | undefined
      if (job.uses) {
        const uses = job.uses.value.trim()
        const nested = OWN_REUSABLE.test(uses) ? undefined : this.resolve(callee.path, uses)
        if (OWN_REUSABLE.test(uses)) {
          deeper = emptyNeed()
          deeper.requesting.push('push')
          deeper.scopes.set('packages', 'write')
          deeper.verdict = 'push'
        } else if (nested && nested !== 'remote') {
          deeper = this.need(nested, composeSecrets(job.secrets, secrets), inner, registry, options)
        }
        if (deeper) need.verdict = stronger(need.verdict, deeper.verdict)
      }
      if (block) {
        // The job's own block decides what it asks of the caller (and caps anything it calls).
        const eff = effectivePermission(model, job)
        if (eff.value === 'write') {
          need.requesting.push(job.id)
          need.requestingAt.push({
            file: callee.path,
            ...pickPos(eff.location),
            message: `job "${job.id}" requests packages: write`,
          })
        }
        continue
      }
      if (job.uses) {
        // No block: the nested workflow gets this caller's grant, so its needs pass up.
        if (!deeper) need.unchecked.push(job.uses.value.trim())
        else {
          if (deeper.requesting.length > 0 && !need.hop) {
            need.hop = deeper.hop ?? {
              file: callee.path,
              job: job.id,
              line: job.uses.line,
              column: job.uses.column,
            }
          }
          need.requesting.push(...deeper.requesting)
          need.requestingAt.push(...deeper.requestingAt)
          need.pushers.push(...deeper.pushers)
          need.unchecked.push(...deeper.unchecked)
          for (const [s, v] of deeper.scopes) raise(need.scopes, s, v)
        }
        continue
      }
      // No block: the job runs with the caller's grant, judged as it is judged alone.
      if (!pushes || pushes.verdict === 'no-push' || pushes.credential === 'stored') continue
      need.pushers.push({
        job: job.id,
        likely: pushes.verdict === 'likely-push',
        related: pushes.evidence.map((e) => ({
          file: callee.path,
          line: e.line,
          column: e.column,
          message: e.description,
        })),
        ...(pushes.likelyReason ? { reason: pushes.likelyReason } : {}),
      })
      raise(need.scopes, 'packages', 'write')
    }
    if (need.requesting.length > 0 || need.pushers.length > 0)
      raise(need.scopes, 'packages', 'write')
    return need
  }
}

/** What a nested call's secrets mean to the outermost caller. */
function composeSecrets(inner: JobModel['secrets'], outer: Secrets): Secrets {
  if (!inner) return undefined
  if (inner === 'inherit') return outer ?? 'inherit'
  if (!(outer instanceof Map)) return inner
  const out = new Map<string, string>()
  for (const [name, expr] of inner) {
    const m = /^\s*\$\{\{\s*secrets\.([\w-]+)\s*\}\}\s*$/.exec(expr)
    out.set(name, m && outer.has(m[1]!) ? outer.get(m[1]!)! : expr)
  }
  return out
}

function addScopes(scopes: Map<string, 'read' | 'write'>, block: PermissionsBlock): void {
  if (block.kind === 'map') {
    for (const [scope, entry] of block.scopes) {
      if (entry.value === 'write' || entry.value === 'read') raise(scopes, scope, entry.value)
    }
  } else if (block.kind === 'string' && block.scalar === 'write-all') {
    raise(scopes, 'packages', 'write')
  }
}

function raise(
  scopes: Map<string, 'read' | 'write'>,
  scope: string,
  value: 'read' | 'write',
): void {
  if (scopes.get(scope) !== 'write') scopes.set(scope, value)
}

function grantReason(job: JobModel, grant: EffectivePermission): string {
  switch (grant.level) {
    case 'job':
      return `job "${job.id}" only allows packages: ${grant.value === 'invalid' ? `"${grant.written}" (not a valid value)` : grant.value}${grant.raw === `packages: ${grant.value}` ? '' : ` (${grant.raw})`}`
    case 'workflow':
      return `job "${job.id}" has no permissions block and the workflow's block allows only packages: ${grant.value === 'invalid' ? `"${grant.written}"` : grant.value} (${grant.raw})`
    default:
      return `job "${job.id}" has no permissions block and the workflow has none`
  }
}

function callerYaml(
  job: JobModel,
  uses: string,
  needed: Map<string, 'read' | 'write'>,
  grant: EffectivePermission | undefined,
  registry: string,
): string {
  const scopes = new Map<string, string>()
  if (grant?.level === 'job' && grant.block?.kind === 'map') {
    for (const [scope, entry] of grant.block.scopes) scopes.set(scope, entry.value)
  }
  for (const [scope, value] of needed) {
    const have = scopes.get(scope)
    if (!have || !grants(have as 'read' | 'write' | 'none', value)) scopes.set(scope, value)
  }
  const lines = ['jobs:', `  ${job.id}:`, `    uses: ${uses}`, '    permissions:']
  for (const [scope, value] of scopes) {
    lines.push(
      `      ${scope}: ${value}${scope === 'packages' && value === 'write' ? ` # to push to ${registry}` : ''}`,
    )
  }
  return lines.map((l) => `    ${l}`).join('\n')
}

/** `./.github/workflows/x.yml` or `$/.github/workflows/x.yml` → `.github/workflows/x.yml`; undefined for another repository. */
function localCallee(uses: string): string | undefined {
  const m = /^(?:\.\/|\$\/)(.+?)(?:@.*)?$/.exec(uses)
  return m ? m[1]!.replace(/^\.\//, '') : undefined
}

function calleeRel(uses: string): string {
  return localCallee(uses) ?? uses
}

/** The repository root of a workflow path: the folder above `.github/workflows`. */
export function rootOfPath(path: string): string {
  const idx = path.lastIndexOf('.github/workflows/')
  return idx >= 0 ? path.slice(0, idx) : ''
}

function pickPos(p: { line: number; column: number }): { line: number; column: number } {
  return { line: p.line, column: p.column }
}
