import { describe, expect, it } from '@jest/globals'
import { resolveRunTokenFindings, type RunTokenCauseFacts } from '../../src/decision/causes.js'
import type { Finding, FindingId } from '../../src/findings/types.js'
import type { ProbeOutcome } from '../../src/registry/types.js'

const f = (id: FindingId, extra: Partial<Finding> = {}): Finding => ({
  id,
  severity: 'error',
  title: id,
  message: `msg ${id}`,
  fix: [],
  ...extra,
})
const denied: ProbeOutcome = {
  verdict: 'denied',
  step: 'upload',
  status: 403,
  code: 'DENIED',
  message: 'installation not allowed to Create organization package',
  roundTrips: 3,
}
const base: RunTokenCauseFacts = {
  registryFindings: [],
  registryAnswers: [],
  staticFindings: [],
  linkFindings: [],
  untrusted: undefined,
  runProven: false,
  staticPackages: 'unknown',
}
const ids = (r: { findings: Finding[] }) => r.findings.map((x) => x.id)

describe('resolveRunTokenFindings', () => {
  it('a missing permission is the cause; the registry text becomes its proof', () => {
    const r = resolveRunTokenFindings({
      ...base,
      staticPackages: 'not-write',
      staticFindings: [f('packages-permission-missing', { file: 'w.yml', line: 7 })],
      registryFindings: [f('org-package-create-denied', { image: 'ghcr.io/acme/app' })],
      registryAnswers: [denied],
    })
    expect(ids(r)).toEqual(['packages-permission-missing'])
    expect(r.findings[0]!.message).toContain(
      'installation not allowed to Create organization package',
    )
    expect(r.findings[0]!.line).toBe(7)
  })

  it('an undeclared permission refused by the registry becomes an error', () => {
    const r = resolveRunTokenFindings({
      ...base,
      staticFindings: [f('packages-permission-undeclared', { severity: 'warning' })],
      registryFindings: [f('org-package-create-denied')],
      registryAnswers: [denied],
    })
    expect(r.findings.map((x) => [x.id, x.severity])).toEqual([
      ['packages-permission-undeclared', 'error'],
    ])
  })

  it('write_package with no permissions block: both the package access and the permission', () => {
    // Real runs got write_package for a package without Actions access (tuna-os/tunaOS#642) and
    // for a token without write (GoogleCloudPlatform/cloud-foundation-fabric#998).
    const r = resolveRunTokenFindings({
      ...base,
      staticFindings: [f('packages-permission-undeclared', { severity: 'warning' })],
      registryFindings: [f('package-not-linked', { image: 'ghcr.io/a/b' })],
      registryAnswers: [{ ...denied, message: 'permission_denied: write_package' }],
    })
    expect(r.findings.map((x) => [x.id, x.severity])).toEqual([
      ['package-not-linked', 'error'],
      ['packages-permission-undeclared', 'error'],
    ])
    expect(r.findings[1]!.message).toContain('Manage Actions access')
  })

  it('a github-token that is not the run token: the job permissions are not what was refused', () => {
    // camunda/camunda-platform-helm#5521: an App token passed in, a bare 403.
    const r = resolveRunTokenFindings({
      ...base,
      githubTokenInput: '${{ steps.app.outputs.token }}',
      staticFindings: [f('packages-permission-undeclared', { severity: 'warning' })],
      registryFindings: [f('github-token-denied')],
      registryAnswers: [{ ...denied, message: undefined }],
    })
    expect(r.findings.map((x) => [x.id, x.severity])).toEqual([
      ['packages-permission-undeclared', 'warning'],
      ['github-token-denied', 'error'],
    ])
  })

  it('a refused credential (token service) does not confirm the permission', () => {
    const r = resolveRunTokenFindings({
      ...base,
      staticFindings: [f('packages-permission-undeclared', { severity: 'warning' })],
      registryFindings: [f('github-token-denied')],
      registryAnswers: [{ verdict: 'unauthorized', step: 'token', status: 403, roundTrips: 2 }],
    })
    expect(r.findings.map((x) => [x.id, x.severity])).toEqual([
      ['packages-permission-undeclared', 'warning'],
      ['github-token-denied', 'error'],
    ])
  })

  it('a missing permission does not hide a write_package answer; the known lack of write comes first', () => {
    const r = resolveRunTokenFindings({
      ...base,
      staticPackages: 'not-write',
      staticFindings: [f('packages-permission-missing', { line: 7 })],
      registryFindings: [f('package-not-linked')],
      registryAnswers: [{ ...denied, message: 'permission_denied: write_package' }],
    })
    expect(ids(r)).toEqual(['packages-permission-missing', 'package-not-linked'])
  })

  it('write_package with no permissions block: the package access first (the default may allow write)', () => {
    const r = resolveRunTokenFindings({
      ...base,
      staticPackages: 'unknown',
      staticFindings: [f('packages-permission-undeclared', { line: 4, severity: 'warning' })],
      registryFindings: [f('package-not-linked')],
      registryAnswers: [{ ...denied, message: 'permission_denied: write_package' }],
    })
    expect(r.findings.map((x) => [x.id, x.severity])).toEqual([
      ['package-not-linked', 'error'],
      ['packages-permission-undeclared', 'error'],
    ])
  })

  it('a registry finding with a located twin confirms it instead of repeating it', () => {
    const r = resolveRunTokenFindings({
      ...base,
      staticFindings: [f('image-owner-mismatch', { image: 'ghcr.io/x/y', message: 'static' })],
      registryFindings: [f('image-owner-mismatch', { image: 'ghcr.io/x/y', message: 'registry' })],
      registryAnswers: [
        { ...denied, message: 'permission_denied: The requested installation does not exist.' },
      ],
    })
    expect(r.findings.map((x) => x.message)).toEqual([
      'static. The registry confirmed it: registry',
    ])
  })

  it('keeps a wrong-namespace refusal next to the permission cause', () => {
    const r = resolveRunTokenFindings({
      ...base,
      staticFindings: [f('packages-permission-missing')],
      registryFindings: [f('image-owner-mismatch')],
      registryAnswers: [denied],
    })
    expect(ids(r)).toEqual(['packages-permission-missing', 'image-owner-mismatch'])
  })

  it('a fork is the cause, not the permissions the file asks for', () => {
    const r = resolveRunTokenFindings({
      ...base,
      untrusted: 'fork-pull-request',
      staticFindings: [f('fork-pull-request', { severity: 'warning' })],
      registryFindings: [f('org-package-write-denied')],
      registryAnswers: [denied],
    })
    expect(ids(r)).toEqual(['fork-pull-request'])
    expect(r.findings[0]!.message).toContain('The registry confirmed it')
  })

  it('with write in the file, the registry reason stands and the API link finding replaces its twin', () => {
    const r = resolveRunTokenFindings({
      ...base,
      staticPackages: 'write',
      registryFindings: [f('package-not-linked', { image: 'ghcr.io/a/b', message: 'registry' })],
      linkFindings: [
        f('package-not-linked', { image: 'ghcr.io/a/b', message: 'linked to a/other' }),
      ],
      registryAnswers: [denied],
    })
    expect(r.findings.map((x) => x.message)).toEqual([
      'linked to a/other. The registry confirmed it: registry',
    ])
  })

  it('a proven push turns a "missing" permission into a notice and drops link hints', () => {
    const r = resolveRunTokenFindings({
      ...base,
      runProven: true,
      staticFindings: [f('packages-permission-missing')],
      linkFindings: [f('package-not-linked')],
    })
    expect(r.findings.map((x) => [x.id, x.severity])).toEqual([
      ['packages-permission-missing', 'notice'],
    ])
  })

  it('inconclusive answers keep every finding', () => {
    const r = resolveRunTokenFindings({
      ...base,
      staticFindings: [f('packages-permission-undeclared', { severity: 'warning' })],
      registryFindings: [f('probe-inconclusive', { severity: 'warning' })],
      registryAnswers: [{ verdict: 'inconclusive', step: 'upload', status: 503, roundTrips: 3 }],
    })
    expect(ids(r)).toEqual(['packages-permission-undeclared', 'probe-inconclusive'])
    expect(r.findings[0]!.severity).toBe('warning')
  })
})
