// The action's job summary shows the permission fix as a `diff` block ready to apply: the built
// bundle (dist/index.js) run as the runner runs it, the patch taken out of the summary file and
// applied with git to the workflow the run read. Build first: `bash scripts/build.sh`.

import { execFileSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { runAction } from '../../scripts/lib/action-process.mjs'
import { renderSummary } from '../../src/report/summary.js'
import { runnerEnv, startRecorder } from '../e2e/support.js'

const FILE = '.github/workflows/build.yml'

const workflow = (perms: string) =>
  [
    'name: build # the image',
    'on: push',
    'jobs:',
    '  build:',
    '    runs-on: ubuntu-latest',
    ...(perms ? [perms] : []),
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - uses: craigedmunds/ghcr-preflight@v1',
    '',
  ].join('\n')

describe('job summary: the permission patch', () => {
  let recorder: Awaited<ReturnType<typeof startRecorder>>
  beforeAll(async () => {
    recorder = await startRecorder()
  })
  afterAll(async () => {
    await recorder.stop()
  })

  const run = (text: string) =>
    runAction({
      inputs: { probe: 'false', 'github-token': 'ghs_RunTokenForTheSummaryPatchTest0001' },
      env: runnerEnv({ repository: 'octo/app', apiUrl: recorder.url, registryUrl: recorder.url }),
      event: { repository: { owner: { login: 'octo', type: 'User' } } },
      files: { [FILE]: text },
    })

  it.each([
    ['packages: read', '    permissions:\n      contents: read\n      packages: read'],
    ['no block anywhere', ''],
  ])(
    '%s → a diff block that git apply takes, giving the job packages: write',
    async (_n, perms) => {
      const text = workflow(perms)
      const r = await run(text)
      const m = /\n(`{3,})diff\n([\s\S]*?)\n\1\n/.exec(r.summary)
      expect(m).not.toBeNull()
      const patch = `${m![2]}\n`
      expect(patch.startsWith(`--- a/${FILE}\n+++ b/${FILE}\n`)).toBe(true)
      const repo = mkdtempSync(join(tmpdir(), 'ghcr-preflight-summary-patch-'))
      execFileSync('git', ['init', '-q'], { cwd: repo })
      mkdirSync(join(repo, '.github', 'workflows'), { recursive: true })
      writeFileSync(join(repo, FILE), text)
      writeFileSync(join(repo, 'fix.patch'), patch)
      execFileSync('git', ['apply', 'fix.patch'], { cwd: repo })
      const fixed = readFileSync(join(repo, FILE), 'utf8')
      expect(fixed).toMatch(/^ {6}packages: write( # to push to ghcr\.io)?$/m)
      expect(fixed).not.toContain('packages: read')
      expect(fixed).toContain('name: build # the image')
    },
  )

  it('no patch when the job already grants packages: write', async () => {
    const r = await run(workflow('    permissions:\n      contents: read\n      packages: write'))
    expect(r.summary).not.toContain('```diff')
  })
})

describe('renderSummary: the patch section', () => {
  const report = (patch: string, ids: string[]): Parameters<typeof renderSummary>[0] => ({
    result: 'fail',
    reason: 'r',
    canPush: false,
    credentialSource: 'none',
    registry: 'ghcr.io',
    username: '',
    images: [],
    checks: [],
    place: { serverUrl: 'https://github.com', repository: 'o/r', registry: 'ghcr.io' },
    findings: ids.map((id) => ({
      id: id as never,
      severity: 'error',
      title: 't',
      message: 'm',
      fix: [],
    })),
    permissionPatch: patch,
  })

  it('uses a fence longer than any backtick run in the patch', () => {
    const patch = '--- a/x\n+++ b/x\n@@ -1 +1 @@\n-run: echo ```\n+run: echo ```\n'
    const s = renderSummary(report(patch, ['packages-permission-missing']))
    expect(s).toContain('\n````diff\n--- a/x\n')
    expect(s).toContain('+run: echo ```\n````\n')
  })

  it('only while a packages permission finding stands', () => {
    expect(renderSummary(report('--- a/x\n', ['package-not-linked']))).not.toContain('diff')
  })
})
