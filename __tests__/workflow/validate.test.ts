// GitHub rejects a workflow file whose permissions name an unknown scope or value, that has no
// `on` or no jobs, or that uses a YAML merge key: table tests of each, with the finding's place.

import { describe, expect, it } from '@jest/globals'
import { PERMISSION_SCOPES } from '../../src/workflow/permission-scopes.js'
import { validateWorkflow } from '../../src/workflow/validate.js'
import { at, parsed, place } from './helpers.js'

const FILE = '.github/workflows/w.yml'
const check = (text: string, pushing: string[] = []) =>
  validateWorkflow(parsed(text, FILE), FILE, place, { pushingJobs: new Set(pushing) })

const jobWith = (permissions: string) =>
  `on: push\njobs:\n  j:\n    permissions:${permissions}\n    steps:\n      - run: echo\n`

describe('permissions GitHub accepts', () => {
  it.each([
    [' read-all'],
    [' write-all'],
    [' {}'],
    ['\n      contents: read\n      packages: write\n      id-token: write\n      models: read'],
    [
      '\n      attestations: write\n      artifact-metadata: read\n      vulnerability-alerts: read',
    ],
    ['\n      copilot-requests: write\n      pull-requests: none'],
  ])('%s', (block) => {
    expect(check(jobWith(block))).toEqual([])
  })

  it('knows every scope in the schema (actions/languageservices workflow-v1.0.json)', () => {
    expect(Object.keys(PERMISSION_SCOPES).sort()).toEqual(
      [
        'actions',
        'artifact-metadata',
        'attestations',
        'checks',
        'contents',
        'copilot-requests',
        'deployments',
        'discussions',
        'id-token',
        'issues',
        'models',
        'packages',
        'pages',
        'pull-requests',
        'repository-projects',
        'security-events',
        'statuses',
        'vulnerability-alerts',
      ].sort(),
    )
  })
})

describe('permissions GitHub rejects', () => {
  it.each([
    // block, needle the finding points at, message part, fix part
    [
      '\n      workflows: write',
      'workflows:',
      'unknown permissions scope "workflows"',
      'Remove "workflows"',
    ],
    [
      '\n      package: write',
      'package:',
      '(did you mean "packages"?)',
      'Rename "package" to "packages"',
    ],
    [
      '\n      issues: read|write',
      'read|write',
      '"read|write" is not a value of permissions scope "issues"',
      'Change it to `issues: read`',
    ],
    [
      '\n      packages: wrte',
      'wrte',
      '(use read, write or none)',
      'Change it to `packages: write`',
    ],
    [
      '\n      id-token: read',
      'read',
      '(use write or none)',
      'Use one of write or none for "id-token"',
    ],
    [
      '\n      models: write',
      'write',
      '(use read or none)',
      'Use one of read or none for "models"',
    ],
    [
      ' read',
      'permissions:',
      'is "read", which is not a permissions value',
      'Replace "read" with a map',
    ],
    [' Write-All', 'permissions:', 'is "Write-All"', 'Write `permissions: write-all`'],
    ['', 'permissions:', 'is empty, not a map of scopes', 'Give it a map of the scopes'],
  ])('%j', (block, needle, message, fix) => {
    const text = jobWith(block)
    const found = check(text)
    expect(found).toHaveLength(1)
    expect(found[0]).toMatchObject({
      id: 'permissions-invalid',
      severity: 'error',
      file: FILE,
      ...at(text, needle, 'permissions:'),
    })
    expect(found[0]!.message).toContain(message)
    expect(found[0]!.message).toContain('GitHub rejects the workflow file')
    expect(found[0]!.fix[0]).toContain(fix)
  })

  it("a pushing job's invalid packages value gets `write` as its fix", () => {
    const text = jobWith('\n      packages: true')
    expect(check(text, ['j'])[0]!.fix[0]).toBe(
      'Change it to `packages: write` (the job pushes to ghcr.io)',
    )
  })

  it('an aliased invalid block is reported once, where it is written', () => {
    const text =
      'on: push\npermissions: &p\n  contents: raed\njobs:\n  a:\n    permissions: *p\n    steps: [{ run: echo }]\n  b:\n    permissions: *p\n    steps: [{ run: echo }]\n'
    const found = check(text)
    expect(found).toHaveLength(1)
    expect(found[0]).toMatchObject(at(text, 'raed'))
  })
})

describe('files GitHub rejects for their shape', () => {
  it.each([
    ['no on', 'jobs:\n  j:\n    steps: [{ run: echo }]\n', 'has no "on" key', 'jobs:'],
    ['no jobs', 'on: push\n', 'has no "jobs" key', 'on:'],
    ['empty jobs', 'on: push\njobs: {}\n', 'defines no jobs', 'jobs:'],
  ])('%s', (_name, text, message, _needle) => {
    const found = check(text)
    expect(found.map((f) => f.id)).toEqual(['workflow-invalid'])
    expect(found[0]!.message).toContain(message)
  })

  it('a YAML merge key: GitHub supports anchors and aliases, not `<<`', () => {
    const text = [
      'on: push',
      'jobs:',
      '  j:',
      '    steps:',
      '      - uses: docker/login-action@v3',
      '        with: &ghcr',
      '          registry: ghcr.io',
      '      - uses: docker/login-action@v3',
      '        with:',
      '          <<: *ghcr',
      '          logout: false',
      '      - uses: docker/login-action@v3',
      '        with:',
      '          <<: *ghcr',
      '',
    ].join('\n')
    const found = check(text)
    expect(found).toHaveLength(1)
    expect(found[0]).toMatchObject({ id: 'workflow-invalid', ...at(text, '<<:') })
    expect(found[0]!.message).toContain('lines 10, 14')
    expect(found[0]!.related).toEqual([
      { file: FILE, ...at(text, '<<:', undefined, 2), message: 'YAML merge key "<<"' },
    ])
  })
})
