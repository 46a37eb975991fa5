// What the workflow file says about the failed job, for `diagnose --workflow`: the job's packages
// permission and its finding on the exact line (the same analysis the action and `lint` run), and
// how the job logs in to the registry: with the run's token, a secret, a GitHub App token, or not
// at all. Pure: the file's text in, facts out.

import { packagesVerdict } from '../workflow/permissions.js'
import type { Finding, Place } from '../findings/types.js'
import { makeFinding } from '../findings/catalogue.js'
import type { TokenKind } from '../token/kind.js'
import type { WorkflowFacts } from '../workflow-facts.js'
import { analyseRunningJob, isPreflightUses } from '../workflow/analyse.js'
import type { JobModel, StepModel, WorkflowModel } from '../workflow/model.js'
import { parseWorkflow } from '../workflow/parse.js'
import { findPushes } from '../workflow/pushers.js'

export interface WorkflowInput {
  /** Repository-relative path, as findings should name it. */
  path: string
  text: string
  /** The job id (or display name) to analyse; guessed when the file leaves no doubt. */
  job?: string
}

export interface LoginCredential {
  source: 'github-token' | 'fallback-token' | 'none'
  kind?: TokenKind
  /** What the file shows, for messages: `password: ${{ secrets.CR_PAT }} at line 31`. */
  because: string
  file: string
  line?: number
  column?: number
}

export interface WorkflowSide {
  facts: WorkflowFacts
  /** The job analysed, when one was. */
  job?: JobModel
  credential?: LoginCredential
  /** Image references the job pushes, as written (literal ones only). */
  images: string[]
}

/**
 * `jobHints`: names the log or the run suggest for the job (the run's job name, "Complete job
 * name: …", a log archive's file name), tried in order when --job is not given.
 */
export function readWorkflowSide(
  input: WorkflowInput,
  place: Place,
  jobHints: string[] = [],
): WorkflowSide {
  const facts: WorkflowFacts = {
    findings: [],
    checks: [],
    packages: 'unknown',
    fallbackConfigured: false,
  }
  const parsed = parseWorkflow(input.text, input.path)
  if (!parsed.ok) {
    facts.findings.push(
      makeFinding('workflow-unreadable', place, {
        message: `${input.path} could not be parsed: ${parsed.message}`,
        file: input.path,
        ...(parsed.line ? { line: parsed.line } : {}),
        ...(parsed.column ? { column: parsed.column } : {}),
      }),
    )
    return { facts, images: [] }
  }
  const model = parsed.workflow
  const hinted = input.job
    ? undefined
    : jobHints.map((h) => findJob(model, h)).find((j): j is JobModel => !!j)
  const picked = hinted ? { job: hinted } : pickJob(model, input.job, place)
  if ('finding' in picked) {
    facts.findings.push(picked.finding)
    return { facts, images: [] }
  }
  const analysis = analyseRunningJob(model, picked.job.id, place, input.path)
  facts.findings.push(...analysis.findings)
  const p = analysis.packages
  if (p) {
    facts.packages = packagesVerdict(p)
  }
  const pushes = findPushes(model, picked.job, place.registry)
  const side: WorkflowSide = {
    facts,
    job: picked.job,
    images: pushes.images.filter((i) => !i.expression).map((i) => i.raw),
  }
  const credential = loginCredential(model, picked.job, place.registry, input.path)
  if (credential) side.credential = credential
  return side
}

/** The job named (by id or display name), else the only job, else the only one that pushes. */
function pickJob(
  model: WorkflowModel,
  wanted: string | undefined,
  place: Place,
): { job: JobModel } | { finding: Finding } {
  const defined = model.jobs.map((j) => `"${j.id}"`).join(', ') || 'none'
  if (wanted) {
    const name = wanted.trim()
    const job = findJob(model, name)
    if (job) return { job }
    return {
      finding: makeFinding('workflow-job-not-found', place, {
        severity: 'notice',
        message: `job "${name}" is not in ${model.file} (it defines ${defined}); its permissions were not checked`,
        file: model.file,
        details: { job: name, file: model.file },
      }),
    }
  }
  if (model.jobs.length === 1) return { job: model.jobs[0]! }
  const pushing = model.jobs.filter((j) => findPushes(model, j, place.registry).pushes)
  if (pushing.length === 1) return { job: pushing[0]! }
  return {
    finding: makeFinding('workflow-job-not-found', place, {
      severity: 'notice',
      message: `${model.file} defines several jobs (${defined}) and the log does not say which one failed: name it with --job; its permissions were not checked`,
      file: model.file,
      details: { file: model.file },
    }),
  }
}

/** A job by id or display name; a matrix job shows as "build (ubuntu, 20)", a called one as "caller / callee". */
function findJob(model: WorkflowModel, wanted: string): JobModel | undefined {
  const name = wanted.trim()
  const bare = name.replace(/\s*\([^)]*\)\s*$/, '')
  const last = bare.split(' / ').pop()!.trim()
  return (
    model.jobs.find((j) => j.id === name) ??
    model.jobs.find((j) => j.id === bare || j.name === name || j.name === bare) ??
    model.jobs.find((j) => j.id === last || j.name === last)
  )
}

const APP_TOKEN_ACTION =
  /^(?:actions\/create-github-app-token|tibdex\/github-app-token|peter-murray\/workflow-application-token-action|navikt\/github-app-token-generator|getsentry\/action-github-app-token)@/i
const RUN_TOKEN_EXPR = /\$\{\{\s*(?:secrets\.GITHUB_TOKEN|github\.token)\s*\}\}/i
const LOGIN_IN_SCRIPT =
  /\b(?:docker|podman|buildah|skopeo|oras|helm registry|crane auth)\s+login\b/i

/** How the job logs in to `registry`: the password expression of its login step. */
function loginCredential(
  model: WorkflowModel,
  job: JobModel,
  registry: string,
  file: string,
): LoginCredential | undefined {
  const appSteps = new Set(
    job.steps.filter((s) => s.id && APP_TOKEN_ACTION.test(s.uses?.value ?? '')).map((s) => s.id!),
  )
  const seen: LoginCredential[] = []
  for (const step of job.steps) {
    const uses = step.uses?.value.trim() ?? ''
    if (/^docker\/login-action@/i.test(uses)) {
      const reg = step.with.get('registry')?.value.value.trim().toLowerCase() ?? 'docker.io'
      if (reg !== registry && !reg.includes('${{')) continue
      const password = step.with.get('password')
      seen.push(
        fromExpression(
          password?.value.source ?? '',
          appSteps,
          file,
          password?.value ?? step.pos,
          'password',
        ),
      )
    } else if (step.uses && isPreflightUses(uses)) {
      // The composite form logs in itself with the credential it proved.
      seen.push({
        source: 'github-token',
        because: `ghcr-preflight logs in at line ${step.pos.line}`,
        file,
        line: step.pos.line,
        column: step.pos.column,
      })
    } else if (step.run && LOGIN_IN_SCRIPT.test(step.run.value)) {
      seen.push(fromExpression(scriptSecret(step), appSteps, file, step.run, 'login command'))
    }
  }
  if (seen.length > 0) return seen[seen.length - 1]
  const pushes = findPushes(model, job, registry)
  if (!pushes.pushSeen) return undefined
  const container = job.steps.length > 0 ? job.steps[0]!.pos : job.pos
  return {
    source: 'none',
    because: `job "${job.id}" has no login step for ${registry} before it pushes`,
    file,
    line: container.line,
    column: container.column,
  }
}

/** The `${{ … }}` a run step's login reads its password from (its env or the script). */
function scriptSecret(step: StepModel): string {
  const script = step.run?.value ?? ''
  const direct = /\$\{\{[^}]*\}\}/.exec(
    script.slice(Math.max(0, script.search(LOGIN_IN_SCRIPT) - 200)),
  )
  if (direct) return direct[0]
  for (const [name, value] of step.env) {
    if (new RegExp(`\\$\\{?${name}\\b`).test(script)) return value
  }
  return ''
}

function fromExpression(
  expression: string,
  appSteps: Set<string>,
  file: string,
  at: { line: number; column: number },
  what: string,
): LoginCredential {
  const where = { file, line: at.line, column: at.column }
  const shown = expression.trim().replace(/\s+/g, ' ').slice(0, 120) || '(none)'
  if (RUN_TOKEN_EXPR.test(expression)) {
    return {
      source: 'github-token',
      kind: 'actions',
      because: `${what} ${shown} at line ${at.line}`,
      ...where,
    }
  }
  const step = /steps\.([\w-]+)\.outputs\.token/.exec(expression)?.[1]
  if (step && appSteps.has(step)) {
    return {
      source: 'fallback-token',
      kind: 'app',
      because: `${what} ${shown} at line ${at.line} is a GitHub App installation token`,
      ...where,
    }
  }
  if (/secrets\.|steps\.|env\.|inputs\./.test(expression)) {
    return {
      source: 'fallback-token',
      kind: 'unknown',
      because: `${what} ${shown} at line ${at.line}`,
      ...where,
    }
  }
  return { source: 'github-token', because: `${what} ${shown} at line ${at.line}`, ...where }
}
