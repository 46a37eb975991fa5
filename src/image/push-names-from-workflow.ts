// Reads the facts push-names.ts judges from a parsed workflow: the running job's push
// references and whether the job lower-cases names. Pure. (Interim adapter over findPushes; the
// workflow analysis will offer the same list directly.)

import { findPreflightSteps } from '../workflow/analyse.js'
import type { JobModel, WorkflowModel } from '../workflow/model.js'
import { findPushes } from '../workflow/pushers.js'
import type { PushNameFacts, PushReference } from './push-names.js'

/** Text that lower-cases a name: bash `${VAR,,}`, `tr` to lower case, a "lowercase" action or
 * output, JavaScript's toLowerCase, or the preflight's `images` output (lower-cased names). */
const LOWERCASING =
  /,,\}|\btr\s+(?:-\w+\s+)?['"]?(?:\[:upper:\]|A-Z)|to_?lower|lower_?case|\.outputs\.images\b/i

export function pushNameFacts(
  model: WorkflowModel,
  job: JobModel,
  file: string,
  registry: string,
): PushNameFacts {
  const host = registry.toLowerCase()
  const analysis = findPushes(model, job, host)
  const pushes: PushReference[] = analysis.images
    .filter((r) => r.via !== 'ghcr-preflight image')
    // Names on another registry are not this registry's business; a name without a host goes
    // to Docker Hub (the image check reports that).
    .filter((r) => r.host === host || (r.host === undefined && /^\$/.test(r.raw)))
    .map((r) => ({
      raw: r.raw,
      written: r.written,
      line: r.line,
      column: r.column,
      via: r.via,
      lowercased:
        r.via === 'docker/metadata-action images' ||
        LOWERCASING.test(r.written) ||
        LOWERCASING.test(r.raw),
    }))

  // A push step none of whose names could be read (`docker push "$IMAGE"`, `tags: ${{ env.T }}`).
  const stepLines = job.steps.map((s, i) => ({
    index: s.index,
    from: s.pos.line,
    to: job.steps[i + 1]?.pos.line ?? Number.MAX_SAFE_INTEGER,
  }))
  const unnamedPush = analysis.evidence
    .filter((e) => e.push && e.kind !== 'preflight-action')
    .some((e) => {
      const range = stepLines.find((s) => s.index === e.stepIndex)
      if (!range) return true
      return !analysis.images.some(
        (r) => r.via !== 'ghcr-preflight image' && r.line >= range.from && r.line < range.to,
      )
    })

  const texts: string[] = [...job.env.values(), ...model.env.values()]
  for (const step of job.steps) {
    if (step.uses) texts.push(step.uses.value)
    if (step.run) texts.push(step.run.value)
    for (const { value } of step.with.values()) texts.push(value.value)
    texts.push(...step.env.values())
  }
  const preflight = findPreflightSteps(job)[0]
  const image = preflight?.step.with.get('image')
  const inputAt = image?.key ?? preflight?.uses
  return {
    file,
    pushes,
    unnamedPush,
    lowercasing: texts.some((t) => LOWERCASING.test(t)),
    ...(inputAt ? { inputAt: { line: inputAt.line, column: inputAt.column } } : {}),
  }
}
