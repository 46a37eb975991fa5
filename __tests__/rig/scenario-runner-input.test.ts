// The scenario runner (scripts/run-scenarios.mjs) given files a stranger might write: each bad
// one fails with a sentence naming the field, never a stack trace, and the run still ends with
// the "N passed, N failed" line (contracts §7).
import { afterAll, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const dir = mkdtempSync(join(tmpdir(), 'scenario-input-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const files: Record<string, [string, RegExp]> = {
  'a-empty.yml': ['', /must be a YAML mapping \(contracts §7\), but it is null/],
  'b-list.yml': ['- one\n', /must be a YAML mapping .* but it is a list/],
  'c-no-repository.yml': ['github: {}\n', /repository must be owner\/name, got null/],
  'd-inputs-list.yml': [
    'repository: a/b\ninputs: [ghcr.io/a/b]\n',
    /inputs must be a mapping of names to values, got a list/,
  ],
  'e-event-text.yml': ['repository: a/b\nevent: push\n', /event must be a mapping/],
  'f-file-null.yml': [
    'repository: a/b\nfiles: { .github/workflows/x.yml: null }\n',
    /files\.\.github\/workflows\/x\.yml must be the file's text, got null/,
  ],
  'g-unknown-token.yml': [
    'repository: a/b\ninputs: { fallback-token: "$pat" }\ngithub: { tokens: {} }\n',
    /inputs\.fallback-token refers to \$pat, but github\.tokens has no token called pat/,
  ],
  'h-bad-result.yml': [
    'repository: a/b\nexpect: { result: green }\n',
    /expect\.result must be one of/,
  ],
  'i-world-error.yml': [
    'repository: a/b\ngithub: { tokens: { t: { kind: robot } } }\n',
    /world: github\.tokens\.t\.kind must be one of/,
  ],
  'j-not-yaml.yml': ['repository: [unclosed\n', /scenario file does not parse/],
}
for (const [name, [text]] of Object.entries(files)) writeFileSync(join(dir, name), text)

describe('scenario runner on malformed scenarios', () => {
  it('names the wrong field for each file, prints no stack trace, and counts them', async () => {
    const run = promisify(execFile)('node', ['scripts/run-scenarios.mjs', dir], {
      encoding: 'utf8',
    })
    const out = await run.then(
      (r) => ({ stdout: r.stdout, stderr: r.stderr, code: 0 }),
      (e: { stdout: string; stderr: string; code: number }) => e,
    )
    const text = out.stdout + out.stderr
    for (const [name, [, message]] of Object.entries(files)) {
      const line = text.split('\n').findIndex((l) => l.startsWith(`FAIL ${name}`))
      expect(line).toBeGreaterThanOrEqual(0)
      expect(
        text
          .split('\n')
          .slice(line, line + 3)
          .join('\n'),
      ).toMatch(message)
    }
    expect(text).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/)
    expect(text.trim().split('\n').pop()).toBe(`0 passed, ${Object.keys(files).length} failed`)
    expect(out.code).toBe(1)
  }, 60_000)
})
