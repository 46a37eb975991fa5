import { describe, expect, it } from '@jest/globals'
import {
  analyseRunningJob,
  findPreflightSteps,
  isPreflightUses,
} from '../../src/workflow/analyse.js'
import { parseWorkflow } from '../../src/workflow/parse.js'
import { at, fixture, model, place } from './helpers.js'

describe('analyseRunningJob', () => {
  it.each([
    [
      'job-blocks.yml',
      'lists-others',
      'packages-permission-missing',
      'error',
      ['permissions:', '  lists-others:'],
    ],
    [
      'job-blocks.yml',
      'pk-read',
      'packages-permission-missing',
      'error',
      ['packages:', '  pk-read:'],
    ],
    [
      'job-blocks.yml',
      'read-all',
      'packages-permission-missing',
      'error',
      ['permissions:', '  read-all:'],
    ],
    [
      'job-blocks.yml',
      'empty',
      'packages-permission-missing',
      'error',
      ['permissions:', '  empty:'],
    ],
    ['job-blocks.yml', 'typo', 'packages-permission-missing', 'error', ['packages:', '  typo:']],
    [
      'workflow-level.yml',
      'inherits',
      'packages-permission-missing',
      'error',
      ['permissions:', undefined],
    ],
    ['no-blocks.yml', 'build', 'packages-permission-undeclared', 'warning', ['build:', 'jobs:']],
  ] as const)('%s job %s → %s', (file, jobId, id, severity, [needle, after]) => {
    const r = analyseRunningJob(model(file), jobId, place, `.github/workflows/${file}`)
    expect(r.jobFound).toBe(true)
    expect(r.findings).toHaveLength(1)
    const f = r.findings[0]!
    expect(f).toMatchObject({
      id,
      severity,
      file: `.github/workflows/${file}`,
      ...at(fixture(file), needle, after),
    })
    expect(f.message).toContain(`job "${jobId}"`)
    expect(f.fix.length).toBeGreaterThan(0)
  })

  it.each([
    ['job-blocks.yml', 'pk-write'],
    ['job-blocks.yml', 'write-all'],
    ['job-blocks.yml', 'inherits'],
    ['job-blocks.yml', 'quoted'],
    ['anchors.yml', 'a'],
    ['reusable-only.yml', 'push'],
  ])('%s job %s → no finding', (file, jobId) => {
    const r = analyseRunningJob(model(file), jobId, place, file)
    expect(r.jobFound).toBe(true)
    expect(r.findings).toEqual([])
  })

  it('names the job, the block and the value in the message', () => {
    const r = analyseRunningJob(model('job-blocks.yml'), 'lists-others', place, 'w.yml')
    expect(r.findings[0]!.message).toBe(
      `job "lists-others" sets permissions without packages: write (packages is "none" because the job's permissions block lists other scopes only)`,
    )
    expect(r.packages).toMatchObject({ value: 'none', level: 'job' })
  })

  it('gives the exact YAML to add, keeping the scopes already listed', () => {
    const r = analyseRunningJob(model('job-blocks.yml'), 'lists-others', place, 'w.yml')
    expect(r.findings[0]!.fix[0]).toBe(
      [
        'Add "packages: write" to the permissions block of job "lists-others" at line 8:',
        '    jobs:',
        '      lists-others:',
        '        permissions:',
        '          contents: read',
        '          packages: write # to push to ghcr.io',
      ].join('\n'),
    )
    const read = analyseRunningJob(model('job-blocks.yml'), 'pk-read', place, 'w.yml')
    expect(read.findings[0]!.fix[0]).toBe(
      'Change "packages: read" at line 24 to:\n    packages: write # to push to ghcr.io',
    )
  })

  it('points to the anchor when the block is an alias', () => {
    const text = fixture('anchors.yml')
    const r = analyseRunningJob(model('anchors.yml'), 'b', place, 'a.yml')
    expect(r.findings[0]).toMatchObject(at(text, 'permissions: *read'))
    expect(r.findings[0]!.fix[0]).toMatch(
      /^Replace "permissions: \*read" at line \d+ with a block of the job's own:\n/,
    )
    expect(r.findings[0]!.fix[1]).toContain(
      `anchored block &read at line ${at(text, 'contents: read', '&read').line}`,
    )
  })

  it('suggests a job block when the workflow block decides', () => {
    const r = analyseRunningJob(model('workflow-level.yml'), 'inherits', place, 'w.yml')
    expect(r.findings[0]!.message).toContain(
      `inherits the workflow's permissions without packages: write`,
    )
    expect(r.findings[0]!.fix[0]).toContain('Give job "inherits" its own permissions block')
    expect(r.findings[0]!.fix[1]).toContain(
      'Or add "packages: write" to the workflow\'s permissions block at line 2',
    )
  })

  it('says the undeclared default is read-only for new repositories', () => {
    const r = analyseRunningJob(model('no-blocks.yml'), 'build', place, 'w.yml')
    expect(r.findings[0]!.message).toContain(
      'read-only for repositories created since February 2023',
    )
    expect(r.packages).toMatchObject({ value: 'default', level: 'default' })
  })

  it('reports a job that is not in the file, and why, without guessing', () => {
    const wf = model('reusable-caller.yml')
    const r = analyseRunningJob(wf, 'publish', place, '.github/workflows/reusable-caller.yml')
    expect(r.jobFound).toBe(false)
    expect(r.packages).toBeUndefined()
    expect(r.findings).toHaveLength(1)
    const f = r.findings[0]!
    expect(f).toMatchObject({
      id: 'workflow-job-not-found',
      severity: 'notice',
      ...at(fixture('reusable-caller.yml'), 'jobs:'),
    })
    expect(f.message).toContain(
      'job "publish" is not defined in .github/workflows/reusable-caller.yml',
    )
    expect(f.message).toContain('GITHUB_WORKFLOW_REF names the calling workflow file')
  })
})

describe('findPreflightSteps', () => {
  it.each([
    ['craigedmunds/ghcr-preflight@v1', true],
    ['CraigEdmunds/GHCR-Preflight@main', true],
    ['craigedmunds/ghcr-preflight/preflight@v1', true],
    ['craigedmunds/ghcr-preflight/preflight@0123456789abcdef0123456789abcdef01234567', true],
    ['craigedmunds/ghcr-preflight-fork@v1', false],
    ['someone/ghcr-preflight@v1', false],
    ['docker/login-action@v3', false],
  ])('isPreflightUses(%s) = %s', (uses, expected) => {
    expect(isPreflightUses(uses)).toBe(expected)
  })

  it.each([
    ['./', '', true],
    ['./preflight', 'preflight', true],
    ['$/preflight', 'preflight', true],
    ['./.github/actions/build', '.github/actions/build', false],
  ])(
    'a local %s is this action only when its action.yml is (asked for folder "%s")',
    (uses, folder, isThis) => {
      const asked: string[] = []
      const predicate = (path: string) => {
        asked.push(path)
        return path === '' || path === 'preflight'
      }
      expect(isPreflightUses(uses, predicate)).toBe(isThis)
      expect(asked).toEqual([folder])
      // Without a way to read the repository, `./` is some other local action.
      expect(isPreflightUses(uses)).toBe(false)
    },
  )

  it('reports whether fallback-token is set, with its position', () => {
    const text = fixture('anchors.yml')
    const wf = model('anchors.yml')
    const steps = findPreflightSteps(wf.jobs.find((j) => j.id === 'b')!)
    expect(steps).toHaveLength(1)
    expect(steps[0]!.fallbackConfigured).toBe(true)
    expect(steps[0]!.fallbackToken?.key).toEqual(at(text, 'fallback-token:'))
    expect(steps[0]!.uses).toMatchObject(at(text, 'craigedmunds/ghcr-preflight@v1'))
  })

  it.each([
    ['absent', '      - uses: craigedmunds/ghcr-preflight@v1\n', false, false],
    [
      'empty',
      "      - uses: craigedmunds/ghcr-preflight@v1\n        with:\n          fallback-token: ''\n",
      false,
      true,
    ],
    [
      'set',
      '      - uses: ./\n        with:\n          fallback-token: ${{ secrets.PAT }}\n',
      true,
      true,
    ],
  ])('fallback-token %s', (_name, step, configured, present) => {
    const r = parseWorkflow(`on: push\njobs:\n  j:\n    steps:\n${step}`, 'x.yml')
    if (!r.ok) throw new Error(r.message)
    const found = findPreflightSteps(r.workflow.jobs[0]!, (path) => path === '')
    expect(found).toHaveLength(1)
    expect(found[0]!.fallbackConfigured).toBe(configured)
    expect(found[0]!.fallbackToken !== undefined).toBe(present)
  })
})

describe('analyseRunningJob on a job that calls a reusable workflow', () => {
  it('says the step runs inside the called workflow instead of analysing the caller', () => {
    const text = [
      'on: push',
      'jobs:',
      '  push:',
      '    uses: ./.github/workflows/ghcr-push.yml',
      '    permissions: { contents: read }',
      '',
    ].join('\n')
    const parsed = parseWorkflow(text, '.github/workflows/ci.yml')
    if (!parsed.ok) throw new Error(parsed.message)
    const r = analyseRunningJob(parsed.workflow, 'push', place, '.github/workflows/ci.yml')
    expect(r.jobFound).toBe(false)
    expect(r.findings.map((f) => [f.id, f.line])).toEqual([['workflow-job-not-found', 3]])
    expect(r.findings[0]!.message).toContain(
      'calls the reusable workflow ./.github/workflows/ghcr-push.yml',
    )
  })
})
