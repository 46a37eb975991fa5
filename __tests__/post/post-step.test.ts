// The post step: its post-if (evaluated from preflight/action.yml), its pure report, the state
// the main bundle saves, and the post bundle run as the runner runs it (never failing the job).
// The scenarios 90-94 run it against the rig after real pushes.

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { parse } from 'yaml'
import { parseFileCommands, runAction } from '../../scripts/lib/action-process.mjs'
import { evaluateCondition } from '../helpers/expressions.js'
import { postReport, type PostFacts } from '../../src/post/report.js'
import { readPostState, savePostState, STATE_NAME } from '../../src/post/state.js'
import type { Report } from '../../src/report/types.js'

const ROOT = process.cwd()
const action = parse(readFileSync(join(ROOT, 'preflight', 'action.yml'), 'utf8')) as {
  runs: { post: string; 'post-if': string; main: string }
}

describe('post-if', () => {
  it.each([
    ['ready', 'success', true],
    ['fallback', 'success', true],
    ['unverified', 'success', true],
    ['fallback', 'failure', true],
    ['skip', 'success', false],
    ['fail', 'failure', false],
    [undefined, 'success', false],
    ['ready', 'cancelled', false],
  ] as const)('GHCR_PREFLIGHT_RESULT=%s, job %s → %s', (result, jobStatus, runs) => {
    const env = result ? { GHCR_PREFLIGHT_RESULT: result } : {}
    expect(evaluateCondition(action.runs['post-if'], { contexts: { env }, jobStatus })).toBe(runs)
  })

  it('points at the post bundle', () => {
    expect(action.runs.post).toBe('../dist/post/index.js')
  })
})

const REPORT: Report = {
  result: 'fallback',
  canPush: true,
  credentialSource: 'fallback-token',
  registry: 'ghcr.io',
  username: 'octocat',
  images: ['ghcr.io/acme/app'],
  findings: [],
  checks: [],
  place: { serverUrl: 'https://github.com', repository: 'acme/app', registry: 'ghcr.io' },
  reason: 'x',
}

describe('post state', () => {
  it('holds the verdict and images, never a token, and exports the result for post-if', () => {
    const saved: Record<string, string> = {}
    const exported: Record<string, string> = {}
    savePostState(
      REPORT,
      {
        saveState: (n, v) => void (saved[n] = v),
        exportVariable: (n, v) => void (exported[n] = v),
      },
      new Date('2026-01-01T00:00:00Z'),
    )
    expect(exported).toEqual({ GHCR_PREFLIGHT_RESULT: 'fallback' })
    expect(readPostState(saved[STATE_NAME]!)).toEqual({
      v: 1,
      result: 'fallback',
      credential: 'fallback-token',
      registry: 'ghcr.io',
      images: ['ghcr.io/acme/app'],
      at: '2026-01-01T00:00:00.000Z',
    })
    expect(readPostState('not json')).toBeUndefined()
    expect(readPostState('')).toBeUndefined()
  })
})

describe('postReport', () => {
  const base = (over: Partial<PostFacts> = {}): PostFacts => ({
    state: {
      v: 1,
      result: 'fallback',
      credential: 'fallback-token',
      registry: 'ghcr.io',
      images: ['ghcr.io/acme/app'],
      at: '2026-01-01T10:00:00Z',
    },
    place: { serverUrl: 'https://github.com', repository: 'acme/app', registry: 'ghcr.io' },
    askedWith: 'fallback-token',
    packages: [],
    ...over,
  })
  const pkg = (repository: string | undefined, versions: Array<[string[], string]>) => ({
    image: 'ghcr.io/acme/app',
    owner: 'acme',
    name: 'app',
    ownerType: 'org' as const,
    pkg: {
      kind: 'ok' as const,
      status: 200,
      name: 'app',
      visibility: 'private',
      ...(repository ? { repository } : {}),
    },
    versions: {
      kind: 'ok' as const,
      versions: versions.map(([tags, at], i) => ({
        id: i,
        digest: `sha256:${String(i).repeat(64)}`,
        tags,
        createdAt: at,
        updatedAt: at,
      })),
    },
  })

  it('lists what was pushed since the preflight, not what was there before', () => {
    const r = postReport(
      base({
        packages: [
          pkg('acme/app', [
            [['1.0'], '2026-01-01T10:05:00Z'],
            [['0.9'], '2025-12-01T00:00:00Z'],
          ]),
        ],
      }),
    )
    expect(r.summary).toContain('<code>1.0</code>')
    expect(r.summary).not.toContain('<code>0.9</code>')
    expect(r.summary).toContain('https://github.com/orgs/acme/packages/container/app')
  })

  it('a package not connected to any repository: connect it first, then Write, then the label', () => {
    const r = postReport(base({ packages: [pkg(undefined, [[['1.0'], '2026-01-01T10:05:00Z']])] }))
    const warning = r.notes.find((n) => n.level === 'warning')!
    expect(warning.message).toContain('not connected to any repository')
    expect(warning.message.indexOf('"Connect repository"')).toBeLessThan(
      warning.message.indexOf('"Manage Actions access"'),
    )
    expect(warning.message).toContain('org.opencontainers.image.source=https://github.com/acme/app')
  })

  it('says plainly when nothing was pushed although the verdict allowed it', () => {
    const r = postReport(base({ packages: [pkg('acme/app', [[['0.9'], '2025-12-01T00:00:00Z']])] }))
    expect(r.notes.map((n) => n.title)).toContain('ghcr-preflight: nothing was pushed')
  })

  it('turns API trouble into one notice, never a warning', () => {
    const down = {
      kind: 'unreachable' as const,
      reason: 'GET https://api.github.com/…: connection reset',
    }
    const r = postReport(
      base({
        packages: [
          { image: 'ghcr.io/acme/app', owner: 'acme', name: 'app', pkg: down, versions: down },
        ],
      }),
    )
    expect(r.notes).toEqual([
      expect.objectContaining({
        level: 'notice',
        title: 'ghcr-preflight: could not check after the push',
      }),
    ])
  })

  it('escapes what it puts in the summary', () => {
    const r = postReport(
      base({ packages: [pkg('acme/app', [[['<img src=x>'], '2026-01-01T10:05:00Z']])] }),
    )
    expect(r.summary).not.toContain('<img')
  })
})

describe('the post bundle, as the runner runs it', () => {
  const env = {
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_SERVER_URL: 'https://github.com',
    // A closed port: the API is unreachable.
    GITHUB_API_URL: 'http://127.0.0.1:9',
  }

  it.each(['node20', 'node24'] as const)(
    'never fails the job, even with the API down (%s)',
    async (runtime) => {
      const state = JSON.stringify({
        v: 1,
        result: 'fallback',
        credential: 'fallback-token',
        registry: 'ghcr.io',
        images: ['ghcr.io/acme/app'],
        at: new Date().toISOString(),
      })
      const run = await runAction({
        inputs: { 'fallback-token': 'ghp_postStepTokenValue0123456789abcdefAB' },
        env: { ...env, [`STATE_${STATE_NAME}`]: state },
        event: {
          repository: { full_name: 'acme/app', owner: { login: 'acme', type: 'Organization' } },
        },
        runtime,
        bundle: join(ROOT, 'dist', 'post', 'index.js'),
        timeoutMs: 60_000,
      })
      expect(run.exitCode).toBe(0)
      expect(run.stdout).toMatch(
        /::notice title=ghcr-preflight%3A could not check after the push::/,
      )
      expect(run.stdout).not.toContain('::error')
      expect(run.stdout.replace(/^::add-mask::.*$/gm, '')).not.toContain('ghp_postStepTokenValue')
      expect(run.summary).toContain('ghcr-preflight: after the push')
    },
  )

  it('stays quiet when the main step saved nothing', async () => {
    const run = await runAction({ env, bundle: join(ROOT, 'dist', 'post', 'index.js') })
    expect(run.exitCode).toBe(0)
    expect(run.stdout.trim()).toBe('ghcr-preflight (post): the main step saved nothing to check')
    expect(run.summary).toBe('')
  })

  it('the main bundle saves the state and exports the result', async () => {
    const run = await runAction({
      inputs: { image: 'ghcr.io/acme/app', probe: 'false' },
      env: { ...env, GITHUB_ACTOR: 'octocat', GITHUB_EVENT_NAME: 'push', GITHUB_JOB: 'build' },
    })
    expect(parseFileCommands(run.envFile)).toEqual({ GHCR_PREFLIGHT_RESULT: run.outputs.result })
    const saved = readPostState(parseFileCommands(run.state)[STATE_NAME] ?? '')
    expect(saved).toMatchObject({ result: run.outputs.result, images: ['ghcr.io/acme/app'] })
  })
})
