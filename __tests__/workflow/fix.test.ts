// lint --fix: the smallest edit of the text, per shape of permissions block; then the round trip
// over every fixable workflow the project has (examples, fixtures, the real-pattern corpus, and
// each again with CRLF line endings): after the fix the lint reports none of the fixed findings,
// a second fix changes nothing, the comments stay, and the file loads to the same value except
// for the permissions of the jobs that were fixed.

import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { parse } from 'yaml'
import type { Finding, PermissionFix, Place } from '../../src/findings/types.js'
import {
  applyPermissionFixes,
  FIXABLE_IDS,
  fixesFor,
  permissionPatch,
} from '../../src/workflow/fix.js'
import { lintWorkflows, type LintInput } from '../../src/workflow/lint-files.js'
import type { RepoFiles } from '../../src/workflow/pushers.js'
import { unifiedDiff } from '../../src/workflow/unified-diff.js'

const place: Place = {
  serverUrl: 'https://github.com',
  repository: 'acme/app',
  registry: 'ghcr.io',
  tool: 'cli',
}
const fix = (text: string, job: string, scopes: PermissionFix['scopes'] = { packages: 'write' }) =>
  applyPermissionFixes(text, [{ job, scopes }])

describe('the edit for each shape of block', () => {
  it.each([
    [
      'a block without packages: one line at its indentation',
      'on: push\njobs:\n  b:\n    permissions:\n      contents: read # checkout\n    steps: []\n',
      'on: push\njobs:\n  b:\n    permissions:\n      contents: read # checkout\n      packages: write # to push to ghcr.io\n    steps: []\n',
    ],
    [
      'packages: read → write, quotes kept',
      "on: push\njobs:\n  b:\n    permissions:\n      packages: 'read'\n      contents: read\n",
      "on: push\njobs:\n  b:\n    permissions:\n      packages: 'write'\n      contents: read\n",
    ],
    [
      'a flow map',
      'on: push\njobs:\n  b:\n    permissions: { contents: read }\n',
      'on: push\njobs:\n  b:\n    permissions: { contents: read, packages: write }\n',
    ],
    [
      '{}',
      'on: push\njobs:\n  b:\n    permissions: {}\n',
      'on: push\njobs:\n  b:\n    permissions: { packages: write }\n',
    ],
    [
      'an alias: the job gets its own copy, the anchor stays',
      'on: push\npermissions: &ro\n  contents: read\njobs:\n  b:\n    permissions: *ro\n',
      'on: push\npermissions: &ro\n  contents: read\njobs:\n  b:\n    permissions: { contents: read, packages: write }\n',
    ],
    [
      'inherits the workflow block: a job block repeating its scopes',
      'on: push\npermissions:\n  contents: read\n  id-token: write\njobs:\n  b:\n    runs-on: x\n',
      'on: push\npermissions:\n  contents: read\n  id-token: write\njobs:\n  b:\n    permissions:\n      contents: read\n      id-token: write\n      packages: write # to push to ghcr.io\n    runs-on: x\n',
    ],
    [
      'no block anywhere, a checkout: contents read plus packages write',
      'on: push\njobs:\n    b:\n        steps:\n            - uses: actions/checkout@v5\n',
      'on: push\njobs:\n    b:\n        permissions:\n            contents: read\n            packages: write # to push to ghcr.io\n        steps:\n            - uses: actions/checkout@v5\n',
    ],
    [
      'CRLF kept',
      'on: push\r\njobs:\r\n  b:\r\n    steps: []\r\n',
      'on: push\r\njobs:\r\n  b:\r\n    permissions:\r\n      packages: write # to push to ghcr.io\r\n    steps: []\r\n',
    ],
    [
      'no final newline',
      'on: push\njobs:\n  b:\n    permissions:\n      contents: read',
      'on: push\njobs:\n  b:\n    permissions:\n      contents: read\n      packages: write # to push to ghcr.io',
    ],
  ])('%s', (_name, before, after) => {
    const r = fix(before, 'b')
    expect(r.text).toBe(after)
    expect(r.fixed).toEqual(['b'])
    // Idempotent: the fixed text needs nothing more.
    expect(fix(r.text, 'b').text).toBe(r.text)
  })

  it('a calling job gets the scopes its callee asks for too', () => {
    const r = fix('on: push\njobs:\n  c:\n    uses: ./.github/workflows/x.yml\n', 'c', {
      contents: 'read',
      'id-token': 'write',
      packages: 'write',
    })
    expect(r.text).toBe(
      'on: push\njobs:\n  c:\n    permissions:\n      contents: read\n      id-token: write\n      packages: write # to push to ghcr.io\n    uses: ./.github/workflows/x.yml\n',
    )
  })

  it.each([
    ['read-all', 'on: push\njobs:\n  b:\n    permissions: read-all\n', /read-all/],
    [
      'the workflow block is read-all',
      'on: push\npermissions: read-all\njobs:\n  b:\n    steps: []\n',
      /read-all/,
    ],
    [
      'an anchor other jobs reuse',
      'on: push\njobs:\n  a:\n    permissions: &p\n      contents: read\n  b:\n    permissions: *p\n',
      /anchor &p/,
    ],
    [
      'an invalid value',
      'on: push\njobs:\n  a:\n    permissions:\n      packages: wrte\n',
      /not valid/,
    ],
    ['a flow-style job', 'on: push\njobs:\n  a: { steps: [] }\n', /flow mapping/],
  ])('not fixed: %s (with the reason)', (_name, text, reason) => {
    const job = text.includes('  b:') ? 'b' : 'a'
    const r = fix(text, job === 'b' && text.includes('&p') ? 'a' : job)
    expect(r.text).toBe(text)
    expect(r.skipped[0]?.reason).toMatch(reason)
  })
})

describe('unified diff', () => {
  const repo = mkdtempSync(join(tmpdir(), 'ghcr-preflight-diff-'))
  execFileSync('git', ['init', '-q'], { cwd: repo })

  it.each([
    ['one line added', 'a\nb\nc\n', 'a\nb\nx\nc\n'],
    ['a value changed', 'a\nb: read\nc\n', 'a\nb: write\nc\n'],
    ['two changes far apart', Array.from({ length: 30 }, (_, i) => `l${i}`).join('\n') + '\n', ''],
    ['CRLF lines', 'a\r\nb\r\n', 'a\r\nx\r\nb\r\n'],
    ['no final newline', 'a\nb', 'a\nb\nc'],
  ])('%s: git apply reproduces the new text', (_name, before, afterGiven) => {
    const after =
      afterGiven || before.replace('l3\n', 'l3\nNEW\n').replace('l25\n', 'l25 changed\n')
    writeFileSync(join(repo, 'f.yml'), before)
    const patch = unifiedDiff(before, after, 'f.yml')
    writeFileSync(join(repo, 'p.diff'), patch)
    execFileSync('git', ['apply', '--whitespace=nowarn', 'p.diff'], { cwd: repo })
    expect(readFileSync(join(repo, 'f.yml'), 'utf8')).toBe(after)
  })

  it('is empty when nothing changes', () => {
    expect(unifiedDiff('a\n', 'a\n', 'f')).toBe('')
  })
})

// ---- the round trip over every fixable workflow ----

const ROOT = process.cwd()

interface Case {
  name: string
  inputs: LintInput[]
  files: RepoFiles
  root: string
}

function fromFolder(folder: string): Case[] {
  const out: Case[] = []
  const base = join(ROOT, folder)
  let entries: string[] = []
  try {
    entries = readdirSync(base).sort()
  } catch {
    return out
  }
  const reader = (dir: string): RepoFiles => ({
    read: (path) => {
      try {
        return readFileSync(join(dir, ...path.split('/')), 'utf8')
      } catch {
        return undefined
      }
    },
  })
  const one = (abs: string, dir: string): LintInput => ({
    path: relative(dir, abs).split('\\').join('/'),
    text: readFileSync(abs, 'utf8'),
  })
  for (const e of entries) {
    const abs = join(base, e)
    if (/\.ya?ml$/.test(e) && statSync(abs).isFile()) {
      out.push({ name: `${folder}/${e}`, inputs: [one(abs, base)], files: reader(base), root: '' })
    } else if (statSync(abs).isDirectory()) {
      const wf = join(abs, '.github', 'workflows')
      let names: string[] = []
      try {
        names = readdirSync(wf).filter((n) => /\.ya?ml$/.test(n))
      } catch {
        continue
      }
      out.push({
        name: `${folder}/${e}`,
        inputs: names.sort().map((n) => one(join(wf, n), base)),
        files: reader(base),
        root: '',
      })
    }
  }
  return out
}

const CASES: Case[] = [
  ...fromFolder('examples'),
  ...fromFolder('__tests__/fixtures/workflows'),
  ...fromFolder('corpus/workflows'),
]

/** The loaded value with the permissions of the given jobs (and nothing else) taken out. */
function withoutPermissions(text: string, jobs: Set<string>): unknown {
  const value = parse(text, { maxAliasCount: 1000, uniqueKeys: false }) as Record<string, unknown>
  const all = value?.jobs as Record<string, Record<string, unknown>> | undefined
  for (const j of jobs) if (all?.[j]) delete all[j]!.permissions
  return value
}

function comments(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => /(^|\s)(#.*)$/.exec(l)?.[2])
    .filter((c): c is string => !!c && !c.includes('# to push to'))
    .sort()
}

function roundTrip(c: Case, crlf: boolean) {
  const inputs = crlf
    ? c.inputs.map((i) => ({ ...i, text: i.text.replace(/\r?\n/g, '\r\n') }))
    : c.inputs
  const lint = (texts: LintInput[]) =>
    lintWorkflows(texts, { place, files: c.files, root: c.root }).findings
  const before = lint(inputs)
  const results: Array<{ path: string; jobs: string[] }> = []
  const fixedInputs = inputs.map((input) => {
    const fixes = fixesFor(before, input.path)
    if (fixes.length === 0) return input
    const outcome = applyPermissionFixes(input.text, fixes)
    if (outcome.fixed.length) results.push({ path: input.path, jobs: outcome.fixed })
    return { ...input, text: outcome.text }
  })
  const after = lint(fixedInputs)
  return { inputs, before, fixedInputs, after, results }
}

const fixedIdsFor = (findings: Finding[], path: string, job: string) =>
  findings.filter(
    (f) =>
      FIXABLE_IDS.has(f.id) &&
      f.permissionFix &&
      !f.permissionFix.likely &&
      (f.permissionFix.file ?? f.file) === path &&
      f.permissionFix.job === job,
  )

describe('--fix round trip over every fixable workflow', () => {
  const tally = { cases: 0, files: 0, jobs: 0 }

  it.each(
    CASES.flatMap((c) => [[c.name, c, false] as const, [`${c.name} (CRLF)`, c, true] as const]),
  )('%s', (_name, c, crlf) => {
    const r = roundTrip(c, crlf)
    for (const { path, jobs } of r.results) {
      const old = r.inputs.find((i) => i.path === path)!.text
      const now = r.fixedInputs.find((i) => i.path === path)!.text
      // The lint reports none of the fixed findings afterwards.
      for (const job of jobs) expect(fixedIdsFor(r.after, path, job)).toEqual([])
      // A second --fix changes nothing.
      const again = applyPermissionFixes(now, fixesFor(r.after, path))
      expect(again.text).toBe(now)
      // The same workflow apart from the permissions of the fixed jobs, comments and line endings kept.
      expect(withoutPermissions(now, new Set(jobs))).toEqual(withoutPermissions(old, new Set(jobs)))
      expect(comments(now)).toEqual(comments(old))
      // Every line ending is the file's own: all CRLF, or all LF.
      expect(now.replace(/\r\n/g, '').includes('\n')).toBe(!crlf && now.includes('\n'))
      expect(now.includes('\r\n')).toBe(crlf)
      // The patch is the same edit.
      expect(permissionPatch(old, r.before, path)).toBe(unifiedDiff(old, now, path))
      if (!crlf) {
        tally.files++
        tally.jobs += jobs.length
      }
    }
    if (!crlf && r.results.length) tally.cases++
  })

  it('fixed something in the examples and the corpus', () => {
    console.log(
      `--fix round trip: ${tally.jobs} jobs in ${tally.files} files (${tally.cases} cases) fixed, each also with CRLF`,
    )
    expect(tally.jobs).toBeGreaterThanOrEqual(10)
  })
})
