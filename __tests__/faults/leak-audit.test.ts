// The leak audit (scripts/lib/leak-audit.mjs) that every fault case and every scenario relies
// on: it must find a token in each form it can take on its way out — raw, base64, base64 of
// user:token at every alignment, URL-encoded — in every place a run writes, and must not flag
// the two places a token legitimately appears (the ::add-mask:: command, the password output).

import { describe, expect, it } from '@jest/globals'
import { loadLeakAudit } from './support/leak-audit-module.js'

const { auditLeaks } = await loadLeakAudit()

type AuditedRun = Parameters<typeof auditLeaks>[0]

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64')

function cleanRun(): AuditedRun {
  return {
    stdout: 'verdict: ready\n::warning title=probe-inconclusive::the registry answered 503\n',
    stderr: '',
    summary: '## ghcr-preflight\nready\n',
    state: '',
    envFile: '',
    outputs: {
      result: 'ready',
      username: 'octocat',
      findings: '[]',
    },
  }
}

const TOKENS = {
  classic: 'ghp_16C7e42F292c6912E7710c838347Ae178B4a',
  'fine-grained': 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV',
  installation: 'ghs_xYz0123456789abcdefABCDEF0123456789',
  // Characters that URL-encoding changes, so the encoded form differs from the raw one.
  'with reserved characters': 'tok/en+with=chars:1234&more?yes',
}

describe('auditLeaks finds a token', () => {
  const places: [string, (run: AuditedRun, text: string) => void][] = [
    ['stdout', (r, t) => void (r.stdout += `registry said: ${t}\n`)],
    ['stdout', (r, t) => void (r.stdout += `::warning title=x::denied for ${t}\n`)],
    ['stderr', (r, t) => void (r.stderr += `Error: ${t}\n`)],
    ['summary', (r, t) => void (r.summary += `| token | ${t} |\n`)],
    ['state', (r, t) => void (r.state += `token=${t}\n`)],
    ['env', (r, t) => void (r.envFile += `GHCR_TOKEN=${t}\n`)],
    ['outputs', (r, t) => void (r.outputs.findings = JSON.stringify([{ message: `saw ${t}` }]))],
    ['outputs', (r, t) => void (r.outputs.username = t)],
  ]

  const forms: [string, (token: string) => string][] = [
    ['raw', (t) => t],
    ['base64', (t) => b64(t)],
    ['URL-encoded', (t) => encodeURIComponent(t)],
    // Every user-name length modulo 3, and real names: the alignment of the token inside the
    // base64 depends on how many bytes come before it.
    ...['a', 'ab', 'abc', 'abcd', 'octocat', 'x-access-token', 'github-actions[bot]', 'é'].map(
      (user): [string, (t: string) => string] => [
        `base64 of "${user}:token"`,
        (t) => `Basic ${b64(`${user}:${t}`)}`,
      ],
    ),
  ]

  for (const [kind, token] of Object.entries(TOKENS)) {
    it.each(forms.map(([name, encode]) => [name, encode] as const))(
      `${kind}: %s, in every place a run writes`,
      (_name, encode) => {
        for (const [where, put] of places) {
          const run = cleanRun()
          put(run, encode(token))
          const problems = auditLeaks(run, [token])
          expect({ where, problems }).toEqual({
            where,
            problems: [expect.stringContaining(`appears in ${where}`)],
          })
          // The report names the place, never the secret or its encoding.
          expect(problems.join('\n')).not.toContain(encode(token))
        }
      },
    )
  }

  it('finds one leaked token among several', () => {
    const run = cleanRun()
    run.summary += b64(`octocat:${TOKENS.installation}`)
    expect(auditLeaks(run, [TOKENS.classic, TOKENS.installation])).toHaveLength(1)
  })
})

describe('auditLeaks stays quiet', () => {
  it.each(Object.entries(TOKENS))('%s: on a clean run', (_kind, token) => {
    expect(auditLeaks(cleanRun(), [token])).toEqual([])
  })

  it.each(Object.entries(TOKENS))(
    '%s: for the ::add-mask:: commands and the password output',
    (_kind, token) => {
      const run = cleanRun()
      run.stdout = `::add-mask::${token}\n::add-mask::${b64(`octocat:${token}`)}\n` + run.stdout
      run.outputs.password = token
      expect(auditLeaks(run, [token])).toEqual([])
    },
  )

  it('only for add-mask lines: the same token on the next line is a leak', () => {
    const run = cleanRun()
    run.stdout = `::add-mask::${TOKENS.classic}\nlogin with ${TOKENS.classic}\n`
    expect(auditLeaks(run, [TOKENS.classic])).toEqual([
      expect.stringContaining('appears in stdout'),
    ])
  })

  it('for another token than the ones audited', () => {
    const run = cleanRun()
    run.stdout += `ghp_${'0'.repeat(36)}\n${b64(`octocat:ghp_${'1'.repeat(36)}`)}\n`
    expect(auditLeaks(run, [TOKENS.classic])).toEqual([])
  })

  it('for empty tokens (an unset fallback)', () => {
    expect(auditLeaks(cleanRun(), ['', TOKENS.classic])).toEqual([])
  })
})
