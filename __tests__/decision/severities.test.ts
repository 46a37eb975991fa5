import { describe, expect, it } from '@jest/globals'
import {
  mergeFallbackFindings,
  settleSeverities,
  sortFindings,
} from '../../src/decision/severities.js'
import type { Finding, FindingId, Severity } from '../../src/findings/types.js'
import type { ProbeOutcome } from '../../src/registry/types.js'

const f = (id: FindingId, severity: Severity = 'error', extra: Partial<Finding> = {}): Finding => ({
  id,
  severity,
  title: id,
  message: `msg ${id}`,
  fix: [],
  ...extra,
})
const sev = (fs: Finding[]) => fs.map((x) => `${x.id}:${x.severity}`)

describe('settleSeverities', () => {
  const all = [
    f('packages-permission-missing'),
    f('fallback-token-scopes'),
    f('fork-pull-request', 'warning'),
    f('probe-disabled', 'notice'),
  ]
  it.each<
    [
      string,
      Parameters<typeof settleSeverities>[1],
      Parameters<typeof settleSeverities>[2],
      string[],
    ]
  >([
    [
      'ready: every error is now a warning',
      'ready',
      'github-token',
      [
        'packages-permission-missing:warning',
        'fallback-token-scopes:warning',
        'fork-pull-request:warning',
        'probe-disabled:notice',
      ],
    ],
    [
      'fallback: the fallback’s own errors stay',
      'fallback',
      'fallback-token',
      [
        'packages-permission-missing:warning',
        'fallback-token-scopes:error',
        'fork-pull-request:warning',
        'probe-disabled:notice',
      ],
    ],
    [
      'skip: a green step shows no errors',
      'skip',
      'none',
      [
        'packages-permission-missing:warning',
        'fallback-token-scopes:warning',
        'fork-pull-request:warning',
        'probe-disabled:notice',
      ],
    ],
    [
      'fail: untouched',
      'fail',
      'none',
      [
        'packages-permission-missing:error',
        'fallback-token-scopes:error',
        'fork-pull-request:warning',
        'probe-disabled:notice',
      ],
    ],
    [
      'unverified: untouched',
      'unverified',
      'github-token',
      [
        'packages-permission-missing:error',
        'fallback-token-scopes:error',
        'fork-pull-request:warning',
        'probe-disabled:notice',
      ],
    ],
  ])('%s', (_name, result, credential, want) => {
    expect(sev(settleSeverities(all, result, credential, undefined))).toEqual(want)
  })

  it('on-untrusted: fail turns the fork fact into the error that fails the step', () => {
    const out = settleSeverities(all, 'fail', 'none', 'fork-pull-request')
    expect(out.find((x) => x.id === 'fork-pull-request')!.severity).toBe('error')
  })
})

describe('mergeFallbackFindings', () => {
  const denied: ProbeOutcome = { verdict: 'denied', step: 'upload', status: 403, roundTrips: 3 }
  const inconclusive: ProbeOutcome = { verdict: 'inconclusive', step: 'upload', roundTrips: 3 }

  it('merges the registry twin into the located REST finding, at the louder severity', () => {
    const rest = [f('fallback-token-owner-mismatch', 'warning', { file: 'w.yml', line: 14 })]
    const registry = [f('fallback-token-owner-mismatch', 'error', { message: 'create_package' })]
    const out = mergeFallbackFindings(rest, registry, [denied])
    expect(out).toHaveLength(1)
    expect(out[0]).toMatchObject({ severity: 'error', line: 14 })
    expect(out[0]!.message).toBe(
      'msg fallback-token-owner-mismatch. The registry confirmed it: create_package',
    )
  })

  it('drops the REST inconclusiveness once the registry refused the token', () => {
    const rest = [f('probe-inconclusive', 'warning')]
    expect(
      mergeFallbackFindings(rest, [f('fallback-token-invalid')], [denied]).map((x) => x.id),
    ).toEqual(['fallback-token-invalid'])
    expect(mergeFallbackFindings(rest, [], [inconclusive]).map((x) => x.id)).toEqual([
      'probe-inconclusive',
    ])
  })
})

describe('sortFindings', () => {
  it('puts errors first and keeps the order within a severity', () => {
    const out = sortFindings([
      f('probe-disabled', 'notice'),
      f('dependabot-run', 'warning'),
      f('image-name-invalid'),
      f('fork-pull-request', 'warning'),
      f('input-invalid'),
    ])
    expect(out.map((x) => x.id)).toEqual([
      'image-name-invalid',
      'input-invalid',
      'dependabot-run',
      'fork-pull-request',
      'probe-disabled',
    ])
  })
})
