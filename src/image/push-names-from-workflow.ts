// Reads the facts push-names.ts judges from a parsed workflow: the running job's push
// references and whether the job lower-cases names. Pure. (Interim adapter over findPushes; the
// workflow-facts.ts hands in the job's one push analysis.)

import { findPreflightSteps, isPreflightUses } from '../workflow/analyse.js'
import type { JobModel, WorkflowModel } from '../workflow/model.js'
import { findPushes, type PushAnalysis } from '../workflow/pushers.js'
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
  analysis: PushAnalysis = findPushes(model, job, registry.toLowerCase()),
): PushNameFacts {
  const host = registry.toLowerCase()
  // Variables a script of the job sets (`IMAGE=${IMAGE,,}`, `echo "IMAGE=…" >> "$GITHUB_ENV"`):
  // their value at the push is not the `env:` literal, so a reference using one is unknown.
  const reassigned = new Set<string>()
  for (const step of job.steps) {
    for (const m of step.run?.value.matchAll(/(?:^|[\s;&|("'])(?:export\s+)?([A-Za-z_]\w*)=/gm) ??
      []) {
      reassigned.add(m[1]!)
    }
  }
  const usesReassigned = (written: string): boolean =>
    [...reassigned].some((name) => new RegExp(`env\\.${name}\\b|\\$\\{?${name}\\b`).test(written))
  const pushes: PushReference[] = analysis.images
    .filter((r) => r.via !== 'ghcr-preflight image')
    // Names on another registry are not this registry's business; a name without a host goes
    // to Docker Hub (the image check reports that).
    .filter((r) => r.host === host || (r.host === undefined && /^\$/.test(r.raw)))
    .map((r) => ({
      raw: usesReassigned(r.written) ? r.written : r.raw,
      written: r.written,
      line: r.line,
      column: r.column,
      via: r.via,
      lowercased:
        r.lowercased === true ||
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
      // A cache export's name is not the image's: tags that cannot be read stay unread.
      return !analysis.images.some(
        (r) =>
          r.via !== 'ghcr-preflight image' &&
          !r.via.endsWith(' cache-to') &&
          r.line >= range.from &&
          r.line < range.to,
      )
    })

  // Lower-casing anywhere in the workflow counts for the input's names: a later job may push
  // what this one hands on (`needs.<job>.outputs.images`).
  const texts: string[] = [...model.env.values()]
  for (const j of model.jobs) {
    texts.push(...j.env.values(), ...[...j.with.values()].map((v) => v.value))
    for (const step of j.steps) {
      if (step.uses) texts.push(step.uses.value)
      if (step.run) texts.push(step.run.value)
      for (const { value } of step.with.values()) texts.push(value.value)
      texts.push(...step.env.values())
    }
  }
  const preflight = findPreflightSteps(job)[0]
  const image = preflight?.step.with.get('image')
  const inputAt = image?.key ?? preflight?.uses
  const token = preflight?.step.with.get('github-token')?.value
  const githubTokenInput =
    token && !token.nonScalar && !RUN_TOKEN.test(token.value.trim())
      ? token.value.trim()
      : undefined
  const firstPush = analysis.evidence.find((e) => e.push && e.kind !== 'preflight-action')
  const unauthenticated = firstPush && !logsIn(job, analysis)
  return {
    file,
    pushes,
    unnamedPush,
    lowercasing: texts.some((t) => LOWERCASING.test(t)),
    ...(inputAt ? { inputAt: { line: inputAt.line, column: inputAt.column } } : {}),
    ...(preflight?.step.id ? { preflightId: preflight.step.id } : {}),
    ...(unauthenticated
      ? {
          unauthenticatedPush: {
            line: firstPush.line,
            column: firstPush.column,
            description: firstPush.description,
          },
        }
      : {}),
    ...(githubTokenInput ? { githubTokenInput } : {}),
  }
}

const RUN_TOKEN = /^\$\{\{\s*(?:github\.token|secrets\.GITHUB_TOKEN)\s*\}\}$/

/** Credentials given to a client inline, or a saved login the job points the client at. */
const INLINE_CREDENTIALS =
  /--(?:dest-|src-)?creds\b|--registry-token\b|--password\b|--password-stdin\b|\s-p\s|\blogin\b|DOCKER_CONFIG|REGISTRY_AUTH_FILE|config\.json|auth\.json|docker-credential/

/**
 * Actions known not to log in to a registry. Any other action may (imjasonh/setup-crane and
 * ko-build/setup-ko log in to ghcr.io with github.token on their own), so it counts as a login.
 */
const NEVER_LOGS_IN =
  /^(?:actions\/(?!github-script)[\w.-]+|docker\/(?:setup-buildx-action|setup-qemu-action|metadata-action|build-push-action|bake-action)|github\/codeql-action\/[\w.-]+|goreleaser\/goreleaser-action|softprops\/action-gh-release|sigstore\/cosign-installer|aquasecurity\/trivy-action)(?:@|$)/i

/**
 * Does anything in the job log in to the registry? Generous on purpose: a login we cannot read
 * must never fail a run, so any login step or command, any action not known to stay away from
 * registries, inline credentials or a saved login counts.
 */
function logsIn(job: JobModel, analysis: PushAnalysis): boolean {
  // A login to the registry is evidence that is not a push; a login whose host is an unresolved
  // expression may be to it. (The analysis also lists this action's steps as logins, since for
  // permissions they need the same grant; whether they really log in is decided below.)
  if (analysis.evidence.some((e) => !e.push)) return true
  if (analysis.logins.some((l) => /\$/.test(l))) return true
  for (const step of job.steps) {
    const uses = step.uses?.value.trim() ?? ''
    if (uses) {
      // The composite ghcr-preflight logs in unless told not to; the preflight sub-action never does.
      if (isPreflightUses(uses)) {
        const subAction = /(?:^|\/)preflight\/?(?:@|$)/.test(uses)
        if (!subAction && step.with.get('login')?.value.value.trim() !== 'false') return true
      } else if (!NEVER_LOGS_IN.test(uses)) {
        return true
      }
    }
    if (step.run && INLINE_CREDENTIALS.test(step.run.value)) return true
    for (const k of step.env.keys())
      if (/^(?:DOCKER_CONFIG|REGISTRY_AUTH_FILE)$/.test(k)) return true
  }
  return [...job.env.keys()].some((k) => /^(?:DOCKER_CONFIG|REGISTRY_AUTH_FILE)$/.test(k))
}
