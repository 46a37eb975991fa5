// The offline lint over workflow texts: pure (texts in, findings out), so the CLI, tests and the
// benchmark all call the same thing. Only jobs that push are judged, so the output has no noise.

import { makeFinding } from '../findings/catalogue.js'
import type { Finding, Place } from '../findings/types.js'
import { checkImage, isTypo } from '../image/check.js'
import { permissionFindings } from './analyse.js'
import type { JobModel } from './model.js'
import { parseWorkflow } from './parse.js'
import { effectivePermission } from './permissions.js'
import {
  findPushes,
  type ImageReference,
  type PushAnalysis,
  type PushVerdict,
  type RepoFiles,
} from './pushers.js'
import { analyseCalls, rootOfPath, type WorkflowFile } from './reusable.js'
import { blockIsValid, validateWorkflow } from './validate.js'

export interface LintInput {
  /** Path relative to the current folder, POSIX separators; used as the finding's file. */
  path: string
  text: string
}

export interface LintOptions {
  place: Place
  /**
   * The repository owner when it is really known (from --repository, GITHUB_REPOSITORY or the git
   * remote): enables the image owner check and the capitals check on `${{ github.repository }}`.
   */
  owner?: string
  /**
   * Reads other repository files by path (called workflows not among `files`, local actions'
   * action.yml, .goreleaser.yml). Without it only the given texts are known.
   */
  files?: RepoFiles
  /**
   * The repository root, as a path prefix ('' or 'sub/dir/'), for files that are not under
   * `.github/workflows` (whose root is the folder above it).
   */
  root?: string
}

/** What the lint found, and how each job was judged (for the corpus measurement and `--fix`). */
export interface LintResult {
  findings: Finding[]
  jobs: JobJudgement[]
}

export interface JobJudgement {
  file: string
  job: string
  /** push / likely-push / no-push as the job is judged alone; a calling job: what its callee does. */
  verdict: PushVerdict
  credential: 'run-token' | 'stored'
  /** The called workflow, for a job with `uses:`. */
  calls?: string
}

export function lintFiles(files: LintInput[], options: LintOptions): Finding[] {
  return lintWorkflows(files, options).findings
}

export function lintWorkflows(files: LintInput[], options: LintOptions): LintResult {
  const { place } = options
  const findings: Finding[] = []
  const jobs: JobJudgement[] = []
  const parsed: WorkflowFile[] = []
  const rootOf = (path: string) =>
    path.includes('.github/workflows/') ? rootOfPath(path) : (options.root ?? '')
  for (const f of files) {
    const result = parseWorkflow(f.text, f.path)
    if (!result.ok) {
      findings.push(
        makeFinding('workflow-unreadable', place, {
          message: `${f.path} could not be read as a workflow: ${result.message}`,
          severity: 'error',
          fix: result.line
            ? [
                `Fix the YAML at line ${result.line}${result.column ? `, column ${result.column}` : ''}: GitHub rejects a workflow file it cannot parse`,
              ]
            : [],
          file: f.path,
          details: { file: f.path },
          ...(result.line ? { line: result.line } : {}),
          ...(result.column ? { column: result.column } : {}),
        }),
      )
      continue
    }
    const model = result.workflow
    parsed.push({ path: f.path, model })
    const pushing = new Set<string>()
    for (const job of model.jobs) {
      if (job.uses) {
        jobs.push({
          file: f.path,
          job: job.id,
          verdict: 'no-push',
          credential: 'run-token',
          calls: job.uses.value.trim(),
        })
        continue
      }
      const pushes = findPushes(model, job, place.registry, {
        root: rootOf(f.path),
        ...(options.files ? { files: options.files } : {}),
      })
      jobs.push({
        file: f.path,
        job: job.id,
        verdict: pushes.verdict,
        credential: pushes.credential,
      })
      if (!pushes.pushes) continue
      if (pushes.credential === 'stored') {
        findings.push(storedTokenNotice(job, pushes, f.path, place))
      } else {
        pushing.add(job.id)
        // A block GitHub rejects is reported by the validation: that is the cause to fix first.
        const block = job.permissions ?? model.permissions
        if (
          effectivePermission(model, job).value !== 'invalid' &&
          (!block || blockIsValid(block))
        ) {
          findings.push(
            ...permissionFindings(model, job, place, f.path, {
              evidence: pushes.evidence,
              ...(pushes.likelyReason ? { likelyReason: pushes.likelyReason } : {}),
            }),
          )
        }
      }
      findings.push(...imageFindings(job, pushes, f.path, options))
    }
    findings.push(...validateWorkflow(model, f.path, place, { pushingJobs: pushing }))
  }
  const calls = analyseCalls(parsed, place, {
    ...(options.files ? { files: options.files } : {}),
    rootOf,
  })
  findings.push(...calls.findings)
  for (const c of calls.calls) {
    const j = jobs.find((x) => x.file === c.file && x.job === c.job)
    if (j) j.verdict = c.verdict
  }
  return { findings: sortFindings(withoutIgnored(dedupe(findings), files)), jobs }
}

/** A push with a stored token needs no packages: write; the notice says how to retire the token. */
function storedTokenNotice(
  job: JobModel,
  pushes: PushAnalysis,
  file: string,
  place: Place,
): Finding {
  const login = pushes.storedLogin!
  const shown = login.credential?.shown ?? 'a stored token'
  return makeFinding('push-without-run-token', place, {
    message: `job "${job.id}" pushes to ${place.registry} with ${shown} (line ${login.line}), not the run's token, so it needs no packages: write; if the package belongs to this repository's owner, the run's token can push instead and the stored token can go`,
    file,
    line: login.line,
    column: login.column,
    details: { job: job.id },
    related: pushes.evidence
      .filter((e) => e !== login)
      .map((e) => ({ file, line: e.line, column: e.column, message: e.description })),
  })
}

function imageFindings(
  job: JobModel,
  pushes: PushAnalysis,
  file: string,
  options: LintOptions,
): Finding[] {
  const { place } = options
  const registry = place.registry.toLowerCase()
  const out: Finding[] = []
  const seen = new Set<string>()
  const loginsElsewhere = pushes.logins.some((l) => l !== registry)
  for (const ref of pushes.images) {
    const key = `${ref.raw}@${ref.line}:${ref.column}`
    if (seen.has(key)) continue
    seen.add(key)
    // An expression only in the tag (`:${{ github.sha }}`) leaves a literal name to check.
    const literal = ref.expression ? literalName(ref.raw) : ref.raw
    if (literal === undefined) {
      out.push(...expressionImageFindings(ref, file, options))
      continue
    }
    const forThisAction = ref.via === 'ghcr-preflight image'
    const noHost = ref.host === undefined
    // Names with no host go to Docker Hub: a mistake only in a job that logs in to this registry alone.
    if (noHost && !forThisAction && (loginsElsewhere || !pushes.logins.includes(registry))) continue
    const result = checkImage(literal, {
      registry,
      ...(options.owner ? { owner: options.owner } : {}),
      place,
      file,
      line: ref.line,
      column: ref.column,
    })
    let found = result.findings
    if (!forThisAction && ref.host !== undefined && ref.host !== registry) {
      // Another registry (a multi-registry job): keep only the typo / old-registry errors.
      if (!found.some((f) => f.id === 'image-registry-mismatch' && f.severity === 'error')) continue
      found = found.filter((f) => f.severity === 'error' || f.id !== 'image-registry-mismatch')
    }
    out.push(...found.map((f) => withVia(f, ref, job)))
  }
  return out
}

function withVia(f: Finding, ref: ImageReference, job: JobModel): Finding {
  // The lint probes nothing: the action's "checked the lower-cased name instead" does not apply.
  const message = f.message.replace(/; ghcr-preflight checked "[^"]*" instead$/, '')
  return { ...f, message: `${message} (job "${job.id}", ${ref.via})` }
}

const CONTEXT_WITH_CAPITALS =
  /\$\{\{\s*github\.(repository_owner|repository|actor|triggering_actor)\s*\}\}/

/** The reference with expressions masked, and where its name (host and path, no tag) ends. */
function nameParts(raw: string): { masked: string; start: number; end: number } {
  // Shell expansions of any form count as variable: `${IMAGE}`, `${IMAGE,,}`, `${TAG:-latest}`.
  const masked = raw.replace(/\$\{\{[\s\S]*?\}\}|\$\{[^{}]*\}|\$\w+|\$\([^)]*\)|`[^`]*`/g, (m) =>
    '\uE000'.repeat(m.length),
  )
  let end = masked.indexOf('@')
  if (end < 0) end = masked.length
  const lastSlash = masked.lastIndexOf('/', end)
  const colon = masked.indexOf(':', lastSlash + 1)
  if (colon >= 0 && colon < end) end = colon
  const firstSlash = masked.indexOf('/')
  const first = firstSlash >= 0 ? masked.slice(0, firstSlash) : ''
  const start = firstSlash >= 0 && /[.:]|^localhost$/.test(first) ? firstSlash + 1 : 0
  return { masked, start, end }
}

/** The name without its tag when no expression touches it, else undefined. */
function literalName(raw: string): string | undefined {
  const { masked, end } = nameParts(raw)
  const name = masked.slice(0, end)
  return name.includes('\uE000') ? undefined : raw.slice(0, end)
}

/** For references built with expressions: capitals in the literal text, or in the known owner/repository. */
function expressionImageFindings(
  ref: ImageReference,
  file: string,
  options: LintOptions,
): Finding[] {
  const { place } = options
  const { masked, start, end } = nameParts(ref.raw)
  const name = masked.slice(start, end)
  const literalCaps = [...new Set(name.split(/[\uE000/]+/).filter((p) => /[A-Z]/.test(p)))]
  const at = { file, line: ref.line, column: ref.column }
  const out: Finding[] = []
  const registry = place.registry.toLowerCase()
  if (ref.host && ref.host !== registry && isTypo(ref.host, registry)) {
    // The host is literal even when the rest is an expression: a typo fails every push.
    out.push(
      makeFinding('image-registry-mismatch', place, {
        message: `image ${JSON.stringify(ref.raw)} is on "${ref.host}", which looks like a typo for "${registry}": the push would fail (${ref.via})`,
        fix: [`Replace \`${ref.host}/\` with \`${registry}/\` in the image name`],
        ...at,
        details: { image: ref.raw },
      }),
    )
  }
  if (literalCaps.length > 0) {
    out.push(
      makeFinding('image-name-uppercase', place, {
        message: `image ${JSON.stringify(ref.raw)} has capitals in ${literalCaps.map((p) => `"${p}"`).join(', ')} outside its expressions: Docker rejects it with "invalid reference format: repository name must be lowercase" (${ref.via})`,
        fix: [`Write ${literalCaps.map((p) => `"${p}" as "${p.toLowerCase()}"`).join(', ')}`],
        ...at,
        details: { image: ref.raw },
      }),
    )
  }
  const ctx = CONTEXT_WITH_CAPITALS.exec(ref.raw)
  if (ctx && options.owner && ref.via !== 'docker/metadata-action images') {
    // metadata-action lower-cases image names itself; build-push-action and docker do not.
    const [owner, repo] = place.repository.split('/')
    const value =
      ctx[1] === 'repository' ? place.repository : ctx[1] === 'repository_owner' ? owner! : ''
    if (value && value !== value.toLowerCase()) {
      out.push(
        makeFinding('image-name-uppercase', place, {
          message: `image ${JSON.stringify(ref.raw)} uses \${{ github.${ctx[1]} }}, which is "${value}" here: the capitals make Docker reject it with "invalid reference format: repository name must be lowercase" (${ref.via})`,
          fix: [
            `Lower-case it before use, e.g. in a step: \`echo "IMAGE=${place.registry}/\${GITHUB_REPOSITORY,,}" >> "$GITHUB_ENV"\`, then use \`\${{ env.IMAGE }}\`; or let docker/metadata-action build the tags (it lower-cases them)`,
          ],
          ...at,
          details: { image: ref.raw, repository: `${owner}/${repo}` },
        }),
      )
    }
  }
  return out
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>()
  return findings.filter((f) => {
    const key = `${f.id}|${f.file}|${f.line}|${f.column}|${f.message}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

const SEVERITY_ORDER = { error: 0, warning: 1, notice: 2 } as const

/** File order, then line and column; findings with no line first within their file. */
export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      cmp(a.file ?? '', b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      cmp(a.id, b.id),
  )
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * `# ghcr-preflight: ignore[id, …]` at the end of a line drops the findings of those ids placed
 * on that line, the way zizmor's `# zizmor: ignore[rule]` works: for a deliberate choice, such
 * as a test job that must run without packages: write. Only the lint honours it; the action's
 * verdict comes from the registry whatever a comment says.
 */
export function withoutIgnored(findings: Finding[], files: LintInput[]): Finding[] {
  const ignored = new Map<string, Map<number, Set<string>>>()
  for (const f of files) {
    if (!f.text.includes('ghcr-preflight: ignore[')) continue
    const lines = new Map<number, Set<string>>()
    f.text.split(/\r?\n/).forEach((text, i) => {
      const m = /#.*\bghcr-preflight:\s*ignore\[([^\]]*)\]/.exec(text)
      if (m) lines.set(i + 1, new Set(m[1]!.split(',').map((id) => id.trim())))
    })
    ignored.set(f.path, lines)
  }
  if (ignored.size === 0) return findings
  return findings.filter((f) => !(f.file && f.line && ignored.get(f.file)?.get(f.line)?.has(f.id)))
}
