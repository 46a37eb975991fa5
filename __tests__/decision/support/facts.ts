// Builds PreflightFacts by hand for judge() table tests: what the inputs, the run's context, the
// workflow file, the registry and the REST API said, in a few words each. No I/O.

import type { RunContext } from '../../../src/context.js'
import { runContext } from '../../helpers/run-context.js'
import { makeFinding } from '../../../src/findings/catalogue.js'
import type { FindingFacts, FindingId } from '../../../src/findings/types.js'
import type { Inputs } from '../../../src/inputs.js'
import type {
  FallbackAnswers,
  OwnerKind,
  PackageAnswer,
  PreflightFacts,
} from '../../../src/preflight/facts.js'
import { planRun } from '../../../src/preflight/plan.js'
import type { ProbeResult } from '../../../src/registry/probe-all.js'
import type { ProbeOutcome } from '../../../src/registry/types.js'
import type { WorkflowFacts } from '../../../src/workflow-facts.js'

export const RUN_TOKEN = 'ghs_' + 'R'.repeat(36)
export const PAT = 'ghp_' + 'P'.repeat(36)
export const NOW = new Date('2027-10-01T00:00:00Z')

/** A registry answer: 'allowed', 'inconclusive', or a refusal with its status and message. */
export type Answer =
  | 'allowed'
  | 'inconclusive'
  | { status: 401 | 403; message: string; step?: 'token' | 'upload'; code?: string }

export function outcome(a: Answer): ProbeOutcome {
  if (a === 'allowed') return { verdict: 'allowed', step: 'upload', status: 202, roundTrips: 3 }
  if (a === 'inconclusive') {
    return { verdict: 'inconclusive', step: 'upload', reason: 'timed out after 5 s', roundTrips: 3 }
  }
  return {
    verdict: a.status === 401 ? 'unauthorized' : 'denied',
    step: a.step ?? 'upload',
    status: a.status,
    code: a.code ?? (a.status === 401 ? 'UNAUTHORIZED' : 'DENIED'),
    message: a.message,
    roundTrips: 3,
  }
}

export const denied = (message: string): Answer => ({ status: 403, message })

/** A workflow-file finding as analyseWorkflow would report it. */
export function workflowFinding(id: FindingId, facts: FindingFacts = {}) {
  return makeFinding(id, place(), { file: '.github/workflows/build.yml', line: 7, ...facts })
}

export interface FactsSpec {
  inputs?: Partial<Inputs>
  ctx?: Partial<RunContext>
  workflow?: Partial<WorkflowFacts>
  /** The run token's answer per image (one answer = every image). */
  run?: Answer | Answer[]
  /** The fallback's answer per image; only used when inputs.fallbackToken is set. */
  fallbackProbe?: Answer | Answer[]
  fallback?: FallbackAnswers
  ownerKinds?: Record<string, OwnerKind>
  packages?: PackageAnswer[]
}

const inputsBase: Inputs = {
  images: ['ghcr.io/acme/app'],
  githubToken: RUN_TOKEN,
  fallbackToken: '',
  probe: true,
  onUntrusted: 'skip',
  onUnverified: 'warn',
  timeoutSeconds: 30,
}

function place() {
  return { serverUrl: 'https://github.com', repository: 'acme/app', registry: 'ghcr.io' }
}

export function facts(spec: FactsSpec = {}): PreflightFacts {
  const inputs = { ...inputsBase, ...spec.inputs }
  const ctx = runContext(spec.ctx)
  const plan = planRun(inputs, ctx)
  const results: ProbeResult[] = []
  const per = (a: Answer | Answer[] | undefined, i: number): Answer =>
    Array.isArray(a) ? a[i]! : (a ?? 'allowed')
  if (plan.probeEnabled) {
    plan.images.forEach((image, i) => {
      const target = { image: image.name, repository: image.path }
      if (plan.runTokenUsable) {
        results.push({ ...target, credential: 'github-token', outcome: outcome(per(spec.run, i)) })
      }
      if (plan.fallbackGiven) {
        results.push({
          ...target,
          credential: 'fallback-token',
          outcome: outcome(per(spec.fallbackProbe, i)),
        })
      }
    })
  }
  return {
    plan,
    onUntrusted: inputs.onUntrusted,
    probeInput: inputs.probe,
    ...(inputs.fallbackUsername ? { fallbackUsername: inputs.fallbackUsername } : {}),
    workflow: {
      findings: [],
      checks: [],
      packages: 'write',
      fallbackConfigured: inputs.fallbackToken !== '',
      ...spec.workflow,
    },
    ownerKinds: spec.ownerKinds ?? { acme: 'org' },
    ...(results.length > 0 ? { probe: { results, roundTrips: 3, elapsedMs: 300 } } : {}),
    ...(spec.fallback ? { fallback: spec.fallback } : {}),
    packages: spec.packages ?? [],
    now: NOW,
  }
}

/** A healthy classic PAT's REST answers. */
export function classicPat(over: Partial<FallbackAnswers> = {}): FallbackAnswers {
  return {
    kind: 'classic',
    rateLimit: { kind: 'ok', status: 200, scopes: ['repo', 'write:packages'] },
    user: { kind: 'ok', status: 200, login: 'octocat' },
    org: { kind: 'ok', status: 200 },
    ...over,
  }
}
