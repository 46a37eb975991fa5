import { describe, expect, it } from '@jest/globals'
import { effectivePermission, grants } from '../../src/workflow/permissions.js'
import { at, fixture, model } from './helpers.js'

type Row = [
  file: string,
  job: string,
  value: string,
  level: string,
  /** [needle, after] locating the expected location in the fixture */
  location: [string, string | undefined],
]

describe('effectivePermission(packages) by GitHub rules', () => {
  const rows: Row[] = [
    // a job block replaces the workflow block (which grants write) entirely
    ['job-blocks.yml', 'lists-others', 'none', 'job', ['permissions:', '  lists-others:']],
    ['job-blocks.yml', 'read-all', 'read', 'job', ['permissions:', '  read-all:']],
    ['job-blocks.yml', 'write-all', 'write', 'job', ['permissions:', '  write-all:']],
    ['job-blocks.yml', 'empty', 'none', 'job', ['permissions:', '  empty:']],
    ['job-blocks.yml', 'pk-read', 'read', 'job', ['packages:', '  pk-read:']],
    ['job-blocks.yml', 'pk-none', 'none', 'job', ['packages:', '  pk-none:']],
    ['job-blocks.yml', 'pk-write', 'write', 'job', ['packages:', '  pk-write:']],
    ['job-blocks.yml', 'inherits', 'write', 'workflow', ['packages:', 'permissions:']],
    ['job-blocks.yml', 'quoted', 'write', 'job', ['"packages"', '  quoted:']],
    ['job-blocks.yml', 'quoted-read', 'read', 'job', ["'packages'", '  quoted-read:']],
    ['job-blocks.yml', 'typo', 'invalid', 'job', ['packages:', '  typo:']],
    ['job-blocks.yml', 'bad-string', 'invalid', 'job', ['permissions:', '  bad-string:']],
    ['job-blocks.yml', 'null-block', 'invalid', 'job', ['permissions:', '  null-block:']],
    // unlisted scopes are none when only the workflow block applies
    ['workflow-level.yml', 'inherits', 'none', 'workflow', ['permissions:', undefined]],
    ['workflow-level.yml', 'own-block', 'write', 'job', ['packages:', '  own-block:']],
    ['workflow-read-all.yml', 'build', 'read', 'workflow', ['permissions:', undefined]],
    ['workflow-packages-read.yml', 'build', 'read', 'workflow', ['packages:', undefined]],
    // no block anywhere: the repository / organisation default
    ['no-blocks.yml', 'build', 'default', 'default', ['build:', 'jobs:']],
    // reusable-only workflow without blocks: the caller decides
    ['reusable-only.yml', 'push', 'default', 'caller', ['push:', 'jobs:']],
    // aliases resolve to the anchored block; the location stays at the job's own key
    ['anchors.yml', 'a', 'write', 'job', ['packages:', '&write']],
    ['anchors.yml', 'b', 'none', 'job', ['permissions:', '  b:']],
    ['anchors.yml', 'c', 'read', 'job', ['packages:', '  c:']],
    ['anchors.yml', 'd', 'read', 'job', ['packages:', '&inline']],
  ]

  it.each(rows)('%s job %s → %s from %s', (file, jobId, value, level, [needle, after]) => {
    const wf = model(file)
    const job = wf.jobs.find((j) => j.id === jobId)!
    expect(job).toBeDefined()
    const eff = effectivePermission(wf, job)
    expect(eff.value).toBe(value)
    expect(eff.level).toBe(level)
    expect(eff.location).toEqual(at(fixture(file), needle, after))
  })

  it('explains why an unlisted scope is none', () => {
    const wf = model('job-blocks.yml')
    const eff = effectivePermission(
      wf,
      wf.jobs.find((j) => j.id === 'lists-others')!,
    )
    expect(eff.reason).toBe("the job's permissions block lists other scopes only")
    expect(eff.raw).toBe('permissions: { contents: read }')
  })

  it('reports an unknown value as written, not as none', () => {
    const wf = model('job-blocks.yml')
    const eff = effectivePermission(
      wf,
      wf.jobs.find((j) => j.id === 'typo')!,
    )
    expect(eff).toMatchObject({ value: 'invalid', written: 'wrte', raw: 'packages: wrte' })
    expect(eff.reason).toContain(
      '"wrte", which is not a permission value (use read, write or none)',
    )
    const s = effectivePermission(
      wf,
      wf.jobs.find((j) => j.id === 'bad-string')!,
    )
    expect(s).toMatchObject({ value: 'invalid', written: 'write', raw: 'permissions: write' })
  })

  it('computes other scopes too', () => {
    const wf = model('job-blocks.yml')
    const job = wf.jobs.find((j) => j.id === 'pk-read')!
    expect(effectivePermission(wf, job, 'contents').value).toBe('read')
    expect(effectivePermission(wf, job, 'id-token').value).toBe('none')
  })

  it.each([
    ['write', 'write', true],
    ['write', 'read', true],
    ['read', 'write', false],
    ['read', 'read', true],
    ['none', 'read', false],
    ['default', 'read', false],
    ['invalid', 'read', false],
  ] as const)('grants(%s, %s) = %s', (have, need, expected) => {
    expect(grants(have, need)).toBe(expected)
  })
})
