// Runs the expressions of a composite action.yml, or of one job of a reusable workflow, the way
// the runner would, with the outputs of the Node steps supplied by the caller. Nothing is
// executed: the result says which steps would run and with what inputs, and what the declared
// outputs would be. Feed it the outputs of a real dist/index.js run (parseGithubOutput reads the
// GITHUB_OUTPUT file) to see exactly what docker/login-action would be given.

import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import {
  evaluateCondition,
  interpolate,
  type ExpressionContext,
  type JobStatus,
} from '../helpers/expressions.js'

export type StepOutcome = 'success' | 'failure'

export interface EvaluatedStep {
  id?: string
  uses?: string
  run?: string
  /** Whether the step's `if:` lets it run. */
  runs: boolean
  /** The step's `with:` after interpolation, as the action would receive it. */
  with: Record<string, string>
}

export interface CompositeOptions {
  /** The caller's `with:` for this action (strings, as the runner passes them). */
  inputs?: Record<string, string>
  /** Outputs the preflight step (id `preflight`) sets. */
  preflightOutputs: Record<string, string>
  /** Defaults to the contracts §3 exit rule: failure for `fail`, and for `unverified` under on-unverified: fail. */
  preflightOutcome?: StepOutcome
  github?: Record<string, unknown>
  env?: Record<string, string>
}

export interface CompositeRun {
  /** The `inputs` context after defaults. */
  inputs: Record<string, string>
  steps: EvaluatedStep[]
  outputs: Record<string, string>
  /** What the runner would warn about (unexpected inputs). */
  warnings: string[]
}

export interface WorkflowJobOptions {
  /** The caller's `with:` (typed: booleans stay booleans). */
  inputs?: Record<string, unknown>
  secrets?: Record<string, string>
  /** Outputs of steps by id (e.g. preflight, meta, build). */
  stepOutputs?: Record<string, Record<string, string>>
  stepOutcomes?: Record<string, StepOutcome>
  github?: Record<string, unknown>
  env?: Record<string, string>
}

export interface WorkflowJobRun {
  inputs: Record<string, unknown>
  steps: EvaluatedStep[]
  /** jobs.<id>.outputs */
  jobOutputs: Record<string, string>
  /** on.workflow_call.outputs, computed from the job's outputs */
  workflowOutputs: Record<string, string>
}

type Yaml = Record<string, unknown>

function asRecord(value: unknown, what: string): Yaml {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${what} is not a mapping`)
  }
  return value as Yaml
}

function loadYaml(path: string): Yaml {
  return asRecord(parse(readFileSync(path, 'utf8')), path)
}

function scalar(value: unknown): string {
  if (value === null || value === undefined) return ''
  return typeof value === 'string' ? value : String(value)
}

export const DEFAULT_GITHUB: Record<string, unknown> = {
  token: 'ghs_defaultRunTokenForTests000000000000',
  repository: 'craigedmunds/argocd-eda',
  repository_owner: 'craigedmunds',
  actor: 'craigedmunds',
  server_url: 'https://github.com',
  api_url: 'https://api.github.com',
  event_name: 'push',
  ref: 'refs/heads/main',
}

/** The exit rule of contracts §3: the step fails only for `fail`, and `unverified` under on-unverified: fail. */
export function contractOutcome(
  outputs: Record<string, string>,
  inputs: Record<string, string>,
): StepOutcome {
  if (outputs.result === 'fail') return 'failure'
  if (outputs.result === 'unverified' && inputs['on-unverified'] === 'fail') return 'failure'
  return 'success'
}

interface StepRunOptions {
  baseContexts: Record<string, unknown>
  stepOutputs: (id: string, withValues: Record<string, string>) => Record<string, string>
  stepOutcome: (id: string, outputs: Record<string, string>) => StepOutcome
}

function runSteps(
  steps: unknown,
  options: StepRunOptions,
): { steps: EvaluatedStep[]; stepsContext: Yaml; status: JobStatus } {
  if (!Array.isArray(steps)) throw new Error('steps is not a list')
  const stepsContext: Yaml = {}
  let status: JobStatus = 'success'
  const evaluated: EvaluatedStep[] = []
  for (const [index, raw] of steps.entries()) {
    const step = asRecord(raw, `step ${index + 1}`)
    const ctx: ExpressionContext = {
      contexts: { ...options.baseContexts, steps: stepsContext, job: { status } },
      jobStatus: status,
    }
    const runs = evaluateCondition(step.if === undefined ? undefined : scalar(step.if), ctx)
    const withValues: Record<string, string> = {}
    if (step.with !== undefined) {
      for (const [key, value] of Object.entries(asRecord(step.with, `step ${index + 1} with`))) {
        withValues[key] = interpolate(scalar(value), ctx)
      }
    }
    const id = step.id === undefined ? undefined : scalar(step.id)
    const result: EvaluatedStep = { runs, with: withValues }
    if (id !== undefined) result.id = id
    if (step.uses !== undefined) result.uses = scalar(step.uses)
    if (step.run !== undefined) result.run = scalar(step.run)
    evaluated.push(result)

    const outputs = runs && id !== undefined ? options.stepOutputs(id, withValues) : {}
    const outcome: StepOutcome | 'skipped' =
      runs && id !== undefined ? options.stepOutcome(id, outputs) : runs ? 'success' : 'skipped'
    if (outcome === 'failure') status = 'failure'
    if (id !== undefined) stepsContext[id] = { outputs, outcome, conclusion: outcome }
  }
  return { steps: evaluated, stepsContext, status }
}

/**
 * Evaluates a composite action: its inputs with defaults, each step's `if:` and `with:`, and
 * its declared outputs, given what the `preflight` step outputs.
 */
export function evaluateComposite(actionYmlPath: string, options: CompositeOptions): CompositeRun {
  const action = loadYaml(actionYmlPath)
  const runsBlock = asRecord(action.runs, 'runs')
  if (runsBlock.using !== 'composite') {
    throw new Error(`${actionYmlPath}: runs.using is ${scalar(runsBlock.using)}, not composite`)
  }
  const github = { ...DEFAULT_GITHUB, ...options.github }
  const env = options.env ?? {}
  const declared = action.inputs === undefined ? {} : asRecord(action.inputs, 'inputs')
  const provided = options.inputs ?? {}
  const warnings = Object.keys(provided)
    .filter((name) => !(name in declared))
    .map((name) => `Unexpected input '${name}'`)

  // Defaults may be expressions (github-token: ${{ github.token }}); they see github and env.
  const inputs: Record<string, string> = {}
  for (const [name, spec] of Object.entries(declared)) {
    if (name in provided) {
      inputs[name] = provided[name]
    } else {
      const fallback = asRecord(spec ?? {}, `inputs.${name}`).default
      inputs[name] = interpolate(scalar(fallback), { contexts: { github, env } })
    }
  }

  const base = { inputs, github, env, runner: { os: 'Linux', temp: '/tmp' } }
  const run = runSteps(runsBlock.steps, {
    baseContexts: base,
    stepOutputs: (id) => (id === 'preflight' ? { ...options.preflightOutputs } : {}),
    stepOutcome: (id, outputs) =>
      id === 'preflight'
        ? (options.preflightOutcome ?? contractOutcome(outputs, inputs))
        : 'success',
  })

  const outputs: Record<string, string> = {}
  const ctx: ExpressionContext = {
    contexts: { ...base, steps: run.stepsContext },
    jobStatus: run.status,
  }
  const declaredOutputs = action.outputs === undefined ? {} : asRecord(action.outputs, 'outputs')
  for (const [name, spec] of Object.entries(declaredOutputs)) {
    outputs[name] = interpolate(scalar(asRecord(spec, `outputs.${name}`).value), ctx)
  }
  return { inputs, steps: run.steps, outputs, warnings }
}

/** Evaluates one job of a reusable (`on: workflow_call`) workflow and the workflow's outputs. */
export function evaluateWorkflowJob(
  workflowPath: string,
  jobId: string,
  options: WorkflowJobOptions = {},
): WorkflowJobRun {
  const workflow = loadYaml(workflowPath)
  const call = asRecord(asRecord(workflow.on, 'on').workflow_call, 'on.workflow_call')
  const github = { ...DEFAULT_GITHUB, ...options.github }
  const env = options.env ?? {}
  const secrets = { GITHUB_TOKEN: scalar(github.token), ...options.secrets }
  const provided = options.inputs ?? {}

  const inputs: Record<string, unknown> = {}
  const declared = call.inputs === undefined ? {} : asRecord(call.inputs, 'inputs')
  for (const [name, raw] of Object.entries(declared)) {
    const spec = asRecord(raw, `inputs.${name}`)
    if (!(name in provided) && spec.required === true) {
      throw new Error(`input '${name}' is required`)
    }
    inputs[name] = name in provided ? provided[name] : (spec.default ?? defaultForType(spec.type))
  }
  for (const name of Object.keys(provided)) {
    if (!(name in declared)) throw new Error(`Invalid input, ${name} is not defined`)
  }

  const job = asRecord(asRecord(workflow.jobs, 'jobs')[jobId], `jobs.${jobId}`)
  const base = { inputs, github, env, secrets, runner: { os: 'Linux', temp: '/tmp' } }
  const run = runSteps(job.steps, {
    baseContexts: base,
    stepOutputs: (id) => ({ ...options.stepOutputs?.[id] }),
    stepOutcome: (id) => options.stepOutcomes?.[id] ?? 'success',
  })

  const ctx: ExpressionContext = {
    contexts: { ...base, steps: run.stepsContext },
    jobStatus: run.status,
  }
  const jobOutputs: Record<string, string> = {}
  if (job.outputs !== undefined) {
    for (const [name, value] of Object.entries(asRecord(job.outputs, 'job outputs'))) {
      jobOutputs[name] = interpolate(scalar(value), ctx)
    }
  }
  const jobs = { [jobId]: { outputs: jobOutputs, result: run.status } }
  const workflowOutputs: Record<string, string> = {}
  if (call.outputs !== undefined) {
    for (const [name, spec] of Object.entries(asRecord(call.outputs, 'outputs'))) {
      const value = scalar(asRecord(spec, `outputs.${name}`).value)
      workflowOutputs[name] = interpolate(value, { contexts: { jobs, github, inputs } })
    }
  }
  return { inputs, steps: run.steps, jobOutputs, workflowOutputs }
}

function defaultForType(type: unknown): unknown {
  if (type === 'boolean') return false
  if (type === 'number') return 0
  return ''
}

/**
 * Reads a GITHUB_OUTPUT file as the runner does: `name=value` lines and
 * `name<<DELIMITER` … `DELIMITER` blocks (what @actions/core's setOutput writes).
 */
export function parseGithubOutput(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if (line === '') continue
    const heredoc = /^([^=]+?)<<(.+)$/.exec(line)
    const equals = line.indexOf('=')
    if (heredoc && (equals === -1 || heredoc.index + heredoc[1].length < equals)) {
      const [, name, delimiter] = heredoc
      const value: string[] = []
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i])
      if (i >= lines.length) throw new Error(`output '${name}': no closing delimiter`)
      outputs[name] = value.join('\n')
    } else if (equals > 0) {
      outputs[line.slice(0, equals)] = line.slice(equals + 1)
    } else {
      throw new Error(`GITHUB_OUTPUT line ${i + 1} is neither name=value nor name<<delimiter`)
    }
  }
  return outputs
}
