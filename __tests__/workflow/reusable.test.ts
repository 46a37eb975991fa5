import { describe, expect, it } from '@jest/globals'
import { checkReusableCeilings } from '../../src/workflow/reusable.js'
import { at, fixture, model, parsed, place } from './helpers.js'

const files = [
  { path: '.github/workflows/reusable-caller.yml', model: model('reusable-caller.yml') },
  { path: '.github/workflows/reusable-callee.yml', model: model('reusable-callee.yml') },
  { path: '.github/workflows/reusable-only.yml', model: model('reusable-only.yml') },
  {
    path: '.github/workflows/reusable-inherit-caller.yml',
    model: model('reusable-inherit-caller.yml'),
  },
]
const findings = checkReusableCeilings(files, place)
const caller = fixture('reusable-caller.yml')
const forJob = (job: string) =>
  findings.filter(
    (f) =>
      f.file === '.github/workflows/reusable-caller.yml' &&
      f.line === at(caller, 'uses:', `  ${job}:`).line,
  )

describe('checkReusableCeilings', () => {
  it('local callee needs write, caller grants read → error on the uses line citing GitHub', () => {
    const f = forJob('grants-read')
    expect(f).toHaveLength(1)
    expect(f[0]).toMatchObject({
      id: 'reusable-workflow-permission-ceiling',
      severity: 'error',
      ...at(caller, './.github/workflows/reusable-callee.yml', '  grants-read:'),
    })
    expect(f[0]!.message).toContain(
      `"The nested job 'publish' is requesting 'packages: write', but is only allowed 'packages: read'."`,
    )
    expect(f[0]!.fix[0]).toContain('      packages: write # to push to ghcr.io')
    expect(f[0]!.fix[0]).toContain('      contents: read')
  })

  it('caller granting write → nothing', () => {
    expect(forJob('grants-write')).toEqual([])
  })

  it('caller with no block and no workflow block → warning naming the repository default', () => {
    const f = forJob('no-block')
    expect(f).toHaveLength(1)
    expect(f[0]).toMatchObject({ id: 'reusable-workflow-permission-ceiling', severity: 'warning' })
    expect(f[0]!.message).toContain('read-only for repositories created since February 2023')
    expect(f[0]!.message).toContain('Settings → Actions → General → Workflow permissions')
  })

  it('remote callee on a job that already grants packages: write → nothing to say', () => {
    expect(forJob('remote')).toEqual([])
  })

  it('remote callee on a job without write → not-checked notice', () => {
    const [f, ...rest] = checkReusableCeilings(
      [
        {
          path: '.github/workflows/c.yml',
          model: parsed(
            'on: push\njobs:\n  r:\n    uses: acme/shared/.github/workflows/b.yml@v1\n',
          ),
        },
      ],
      place,
    )
    expect(rest).toEqual([])
    expect(f).toMatchObject({ id: 'reusable-workflow-not-checked', severity: 'notice', line: 4 })
    expect(f!.message).toContain('not checked offline')
  })

  it("this action's own reusable workflow needs packages: write", () => {
    const f = forJob('own-reusable')
    expect(f).toHaveLength(1)
    expect(f[0]).toMatchObject({ id: 'reusable-workflow-permission-ceiling', severity: 'error' })
    expect(f[0]!.message).toContain("only allowed 'packages: none'")
  })

  it('local callee that is not among the files → not-checked notice', () => {
    const f = forJob('missing-callee')
    expect(f).toHaveLength(1)
    expect(f[0]).toMatchObject({ id: 'reusable-workflow-not-checked', severity: 'notice' })
    expect(f[0]!.message).toContain('which could not be read')
  })

  it('a callee job that pushes with inherited permissions → packages-permission-missing at the caller block', () => {
    const text = fixture('reusable-inherit-caller.yml')
    const f = findings.filter((x) => x.file === '.github/workflows/reusable-inherit-caller.yml')
    expect(f).toHaveLength(1)
    expect(f[0]).toMatchObject({
      id: 'packages-permission-missing',
      severity: 'error',
      ...at(text, 'permissions:'),
    })
    expect(f[0]!.message).toContain(
      'whose job "push" pushes to ghcr.io with the permissions it inherits',
    )
  })

  it('resolves callees relative to the caller repository root', () => {
    const nested = checkReusableCeilings(
      files.map((f) => ({ ...f, path: `examples/${f.path}` })),
      place,
    )
    expect(nested.map((f) => f.id).sort()).toEqual(findings.map((f) => f.id).sort())
  })
})
