// The preflight: plan from the inputs (pure), gather the facts (all I/O, concurrent, within the
// deadline), judge them (pure), and shape the report. The only place the chosen token's value
// meets the verdict: judge() names a credential source, this picks the matching secret.

import type { RunContext } from '../context.js'
import { judge } from '../decision/judge.js'
import type { Inputs } from '../inputs.js'
import type { Report } from '../report/types.js'
import { gather, type GatherDeps } from './gather.js'
import { planRun } from './plan.js'

export interface PreflightDeps extends GatherDeps {
  log: (line: string) => void
}

export interface PreflightOutcome {
  report: Report
  /** The chosen credential; '' when none. Masked by the caller before it is set as an output. */
  password: string
}

export async function preflight(
  inputs: Inputs,
  ctx: RunContext,
  deps: PreflightDeps,
): Promise<PreflightOutcome> {
  const started = Date.now()
  const plan = planRun(inputs, ctx)
  const facts = await gather(plan, inputs, ctx, deps)
  const verdict = judge(facts)

  deps.log(`verdict: ${verdict.result} (${verdict.reason})`)
  if (facts.probe) {
    const p = facts.probe
    deps.log(
      `registry probe: ${p.results.length} probe(s), ${p.roundTrips} sequential round trip(s), ${p.elapsedMs} ms`,
    )
  }
  const password =
    verdict.credential === 'github-token' && plan.runTokenUsable
      ? inputs.githubToken
      : verdict.credential === 'fallback-token'
        ? inputs.fallbackToken
        : ''
  return {
    report: {
      result: verdict.result,
      canPush: verdict.canPush,
      credentialSource: verdict.credential,
      registry: plan.registry,
      username: verdict.username,
      images: plan.images.map((i) => i.name),
      findings: verdict.findings,
      checks: verdict.checks,
      durationMs: Date.now() - started,
      place: plan.place,
      reason: verdict.reason,
      ...(facts.workflow.permissionPatch
        ? { permissionPatch: facts.workflow.permissionPatch }
        : {}),
    },
    password,
  }
}
