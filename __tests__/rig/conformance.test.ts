// scripts/conformance.mjs: the live check of the rig's model of ghcr.io (npm run conformance --
// --registry https://ghcr.io). Here it runs rig against rig, so its own code is tested: no
// difference between two rigs, and a registry that answers differently is reported field by
// field, with credentials taken from the environment and never printed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startRig, type Rig } from '../../rig/index.mjs'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const SCRIPT = join(ROOT, 'scripts', 'conformance.mjs')

function conformance(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SCRIPT, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0
        resolve({ code, stdout, stderr })
      },
    )
  })
}

describe('npm run conformance', () => {
  let other: Rig
  let tokens: Record<string, string>
  beforeAll(async () => {
    // A registry whose token service hands a token to any credential (the lenient behaviour the
    // rig had before jikig-ai/soleur#8036 showed ghcr.io refuses an expired PAT).
    other = await startRig()
    ;({ tokens } = other.setWorld({
      repository: 'octo/conformance',
      github: {
        token_endpoint: 'lenient',
        owners: { octo: 'user' },
        tokens: {
          good: { kind: 'actions', packages: 'write' },
          read: { kind: 'actions', packages: 'read' },
          expired: { kind: 'classic', owner: 'octo', scopes: ['write:packages'], expired: true },
        },
        packages: [{ owner: 'octo', name: 'conformance', repository: 'octo/conformance' }],
      },
    }))
  })
  afterAll(async () => {
    await other?.stop()
  })

  it('finds no difference between two rigs (what npm test runs)', async () => {
    const r = await conformance([])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^0 differences$/m)
    for (const probe of [
      'challenge: anonymous GET /v2/',
      'token, good credential',
      'token, read-only credential',
      'token, expired credential',
      'token, unknown credential',
      'upload start, good credential',
      'upload start, read-only credential',
      'upload cancel (DELETE), good credential',
    ]) {
      expect(r.stdout).toContain(probe)
    }
  })

  it('reports each field a registry answers differently, with credentials from the environment only', async () => {
    const r = await conformance(
      ['--registry', other.registryUrl, '--repository', 'octo/conformance'],
      {
        CONFORMANCE_TOKEN: tokens.good!,
        CONFORMANCE_READ_TOKEN: tokens.read!,
        CONFORMANCE_EXPIRED_TOKEN: tokens.expired!,
      },
    )
    expect(r.code).toBe(1)
    // The lenient token service issues a token for the expired PAT; the rig refuses it.
    expect(r.stdout).toMatch(/≠\s+token, expired credential\s+status\s+200\s+403/)
    expect(r.stdout).toMatch(/^[1-9]\d* differences?$/m)
    for (const secret of Object.values(tokens)) {
      expect(r.stdout + r.stderr).not.toContain(secret)
      expect(r.stdout + r.stderr).not.toContain(Buffer.from(secret).toString('base64'))
    }
    // The requests really reached the other registry, with the credentials from the environment.
    expect(other.log.some((l) => l.server === 'token' && l.credential === 'expired')).toBe(true)
  })

  it('runs only the probes whose credential is set, and says which were not run', async () => {
    const r = await conformance([
      '--registry',
      other.registryUrl,
      '--repository',
      'octo/conformance',
    ])
    expect(r.stdout).toContain('not run: token, good credential: credential not set')
    expect(r.stdout).toContain('token, unknown credential')
  })

  it.each([
    [['--registry', 'http://ghcr.io'], /https URL/],
    [['--repository', 'no-slash'], /OWNER\/NAME/],
    [['--token', 'ghp_x'], /Unknown option/],
  ])('usage errors exit 2: %j', async (args, message) => {
    const r = await conformance(args)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
  })
})
