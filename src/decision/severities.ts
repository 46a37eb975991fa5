// Pure: how loud each finding should be once the verdict is known, and how the fallback's REST
// and registry findings merge. Severity follows the verdict: with a working credential, the
// other credential's problems are warnings (root causes to fix so the PAT can be retired).

import type { Finding } from '../findings/types.js'
import type { ProbeOutcome } from '../registry/types.js'
import type { CredentialSource, Result } from '../report/types.js'
import { appendSentence } from './causes.js'

export const SEVERITY_ORDER = { error: 0, warning: 1, notice: 2 } as const

/** Errors first, then warnings, then notices; stable within a severity. */
export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity])
}

export function settleSeverities(
  findings: Finding[],
  result: Result,
  credential: CredentialSource,
  untrustedFailure: 'fork-pull-request' | 'dependabot-run' | undefined,
): Finding[] {
  // on-untrusted: fail makes the fork / Dependabot fact the error that fails the step.
  if (result === 'fail' && untrustedFailure) {
    return findings.map((f) => (f.id === untrustedFailure ? { ...f, severity: 'error' } : f))
  }
  // A skip is a green step: its problems are worth reading, not red annotations.
  if (result === 'skip') {
    return findings.map((f) => (f.severity === 'error' ? { ...f, severity: 'warning' } : f))
  }
  if (result !== 'ready' && result !== 'fallback') return findings
  return findings.map((f) => {
    if (f.severity !== 'error') return f
    // A working credential was proven: remaining problems cannot break this push.
    if (credential === 'fallback-token' && f.id.startsWith('fallback-token')) return f
    return { ...f, severity: 'warning' }
  })
}

/**
 * The REST checks and the registry may describe the same fallback problem twice (the owner check
 * and "create_package"): keep the located REST finding, raised to the registry's severity, with
 * the registry's words as proof. A REST check that could not be made is moot once the registry
 * refused the token outright.
 */
export function mergeFallbackFindings(
  rest: Finding[],
  registry: Finding[],
  outcomes: ProbeOutcome[],
): Finding[] {
  const refused = outcomes.some((o) => o.verdict === 'denied' || o.verdict === 'unauthorized')
  const kept = refused ? rest.filter((f) => f.id !== 'probe-inconclusive') : [...rest]
  const extra: Finding[] = []
  for (const r of registry) {
    const i = kept.findIndex((k) => k.id === r.id)
    if (i < 0) {
      extra.push(r)
      continue
    }
    const twin = kept[i]!
    kept[i] = {
      ...twin,
      severity:
        SEVERITY_ORDER[r.severity] < SEVERITY_ORDER[twin.severity] ? r.severity : twin.severity,
      message: appendSentence(twin.message, `The registry confirmed it: ${r.message}`),
    }
  }
  return [...kept, ...extra]
}
