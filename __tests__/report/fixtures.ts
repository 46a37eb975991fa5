// Shared report fixtures for the report tests.
import type { Finding, Place, Severity } from '../../src/findings/types.js'
import type { Report } from '../../src/report/types.js'

export const place: Place = {
  serverUrl: 'https://github.com',
  repository: 'acme/widget',
  registry: 'ghcr.io',
}

export function finding(severity: Severity, n: number, extra: Partial<Finding> = {}): Finding {
  return {
    id: 'packages-permission-missing',
    severity,
    title: `title ${severity} ${n}`,
    message: `message ${severity} ${n}`,
    fix: [`step one for ${severity} ${n}\n    permissions:\n      packages: write`, 'step two'],
    ...extra,
  }
}

export function report(over: Partial<Report> = {}): Report {
  return {
    result: 'ready',
    reason: "the registry accepted an upload with the run's token",
    canPush: true,
    credentialSource: 'github-token',
    registry: 'ghcr.io',
    username: 'alice',
    images: ['ghcr.io/acme/widget', 'ghcr.io/acme/tools'],
    findings: [],
    checks: [
      {
        name: 'registry push probe',
        status: 'pass',
        detail: 'POST /v2/acme/widget/blobs/uploads/ → 202',
      },
    ],
    durationMs: 812,
    place,
    ...over,
  }
}
