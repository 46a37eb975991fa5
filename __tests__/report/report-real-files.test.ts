// The real runner protocol (@actions/core's modules, via src/runner/core.ts) writing real GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, parsed back.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setOutputs } from '../../src/report/outputs.js'
import { writeSummary } from '../../src/report/summary.js'
import { finding, report } from './fixtures.js'

let dir: string
const saved = { out: process.env.GITHUB_OUTPUT, sum: process.env.GITHUB_STEP_SUMMARY }

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ghcr-preflight-report-'))
  process.env.GITHUB_OUTPUT = join(dir, 'output')
  process.env.GITHUB_STEP_SUMMARY = join(dir, 'summary')
  writeFileSync(process.env.GITHUB_OUTPUT, '')
  writeFileSync(process.env.GITHUB_STEP_SUMMARY, 'earlier step\n')
})

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
  for (const [k, v] of [
    ['GITHUB_OUTPUT', saved.out],
    ['GITHUB_STEP_SUMMARY', saved.sum],
  ] as const) {
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }
})

/** Parses `name<<delimiter\nvalue\ndelimiter` blocks as the runner does. */
function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(ghadelimiter_[0-9a-f-]+)$/.exec(lines[i]!)
    if (!m) continue
    const value: string[] = []
    while (lines[++i] !== m[2]) value.push(lines[i]!)
    out[m[1]!] = value.join('\n')
  }
  return out
}

describe('outputs and summary through real files', () => {
  it('writes every output as a heredoc and masks the password on stdout only', () => {
    const writes: string[] = []
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      writes.push(String(chunk))
      return true
    })
    try {
      setOutputs(
        report({
          result: 'fallback',
          credentialSource: 'fallback-token',
          findings: [finding('warning', 1)],
        }),
        'ghp_realsecret123',
      )
    } finally {
      spy.mockRestore()
    }
    expect(writes.join('')).toBe('::add-mask::ghp_realsecret123\n')
    const outputs = parseOutputFile(readFileSync(process.env.GITHUB_OUTPUT!, 'utf8'))
    expect(outputs).toMatchObject({
      result: 'fallback',
      'can-push': 'true',
      'credential-source': 'fallback-token',
      registry: 'ghcr.io',
      username: 'alice',
      password: 'ghp_realsecret123',
      images: 'ghcr.io/acme/widget\nghcr.io/acme/tools',
    })
    expect(JSON.parse(outputs.findings!)[0]).toMatchObject({
      id: 'packages-permission-missing',
      severity: 'warning',
    })
  })

  it('appends the summary to the file', async () => {
    await writeSummary(
      report({
        result: 'fail',
        canPush: false,
        findings: [finding('error', 1, { message: 'a <b> c' })],
      }),
    )
    const text = readFileSync(process.env.GITHUB_STEP_SUMMARY!, 'utf8')
    expect(text.startsWith('earlier step\n')).toBe(true)
    expect(text).toContain('❌ fail: this run cannot push to ghcr.io')
    expect(text).toContain('a &lt;b&gt; c')
  })
})
