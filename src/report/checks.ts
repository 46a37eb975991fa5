// Rows of the job summary's checks table for the probe and the fallback token: what was asked
// and what came back, in a line each.

import type { FallbackAssessment } from '../fallback/assess.js'
import type { ProbeResult } from '../registry/probe-all.js'
import { describeTokenKind } from '../token/kind.js'
import type { Check } from './types.js'

function describe(r: ProbeResult): string {
  const o = r.outcome
  if (o.verdict === 'allowed') return `${r.image}: upload accepted (${o.status ?? 202})`
  const said = [o.status, o.message].filter(Boolean).join(' ')
  return `${r.image}: ${o.verdict}${said ? ` (${said})` : ''}${o.reason ? `: ${o.reason}` : ''}`
}

export function probeChecks(
  run: ProbeResult[],
  fb: ProbeResult[],
  enabled: boolean,
  hasFallback: boolean,
): Check[] {
  const row = (name: string, results: ProbeResult[]): Check => {
    if (!enabled) return { name, status: 'skip', detail: 'probe: false' }
    if (results.length === 0) return { name, status: 'skip', detail: 'not probed' }
    const allowed = results.every((r) => r.outcome.verdict === 'allowed')
    const refused = results.some(
      (r) => r.outcome.verdict === 'denied' || r.outcome.verdict === 'unauthorized',
    )
    return {
      name,
      status: allowed ? 'pass' : refused ? 'fail' : 'warn',
      detail: results.map(describe).join('; '),
    }
  }
  const rows = [row("push probe with the run's token", run)]
  if (hasFallback) rows.push(row('push probe with the fallback token', fb))
  return rows
}

export function fallbackCheck(f: FallbackAssessment): Check {
  const bits = [describeTokenKind(f.kind)]
  if (f.login) bits.push(`owner ${f.login}`)
  if (f.scopes) bits.push(`scopes ${f.scopes.join(' ') || 'none'}`)
  if (f.expiresAt) bits.push(`expires ${f.expiresAt}`)
  return {
    name: 'fallback token',
    status: f.candidate ? (f.inconclusive ? 'warn' : 'pass') : 'fail',
    detail: bits.join(', '),
  }
}
