// The built bundle against the rig (a real registry behind the ghcr.io emulator, and the REST
// emulator), under Node 20 and Node 24: a run whose token the registry accepts, and one it
// refuses, whose finding must quote the registry's own words. Build first: `bash scripts/build.sh`.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { MSG, startRig, type Rig } from '../../rig/index.mjs'
import {
  node24,
  pushWorkflow,
  runAction,
  type ActionRun,
} from '../../scripts/lib/action-process.mjs'
import {
  RUNTIMES,
  expectAnnotations,
  expectContractOutputs,
  expectMasked,
  expectNoSecrets,
  expectNoStackTrace,
  expectSummary,
  failureMessage,
  runnerEnv,
  summaryChecks,
} from './support.js'

const WORKFLOW = '.github/workflows/build.yml'
const PROBE_ROW = "push probe with the run's token"

const workflowFile = (image: string): string => pushWorkflow({ image })

interface RigCase {
  name: string
  repository: string
  image: string
  github: Record<string, unknown>
  /** Drop GITHUB_OUTPUT so outputs go to stdout as ::set-output and their order is visible. */
  outputsOnStdout?: boolean
  check: (run: ActionRun, tokens: Record<string, string>, rig: Rig) => void
}

const unique = `${process.pid}-${Date.now().toString(36)}`

function cases(runtime: string): RigCase[] {
  const readyGithub = {
    owners: { octo: 'user' },
    tokens: { github: { kind: 'actions', packages: 'write' } },
    packages: [],
  }
  const expectReady = (r: ActionRun, tokens: Record<string, string>, rig: Rig): void => {
    expect(r.outputs).toMatchObject({
      result: 'ready',
      'can-push': 'true',
      'credential-source': 'github-token',
      username: 'octo',
    })
    expect(r.outputs.password).toBe(tokens.github)
    expect(r.exitCode).toBe(0)
    expect(summaryChecks(r.summary)[PROBE_ROW]).toBe('pass')
    // Proven by the registry itself: an upload was started with the run's token and accepted.
    expect(
      rig.log.some(
        (l) =>
          l.server === 'registry' &&
          l.method === 'POST' &&
          /\/blobs\/uploads\/$/.test(l.path) &&
          l.status === 202 &&
          l.credential === 'github',
      ),
    ).toBe(true)
  }
  return [
    {
      name: 'run token with packages: write, new package in its own namespace → ready',
      repository: 'octo/app',
      image: `ghcr.io/octo/e2e-ready-${runtime}-${unique}`,
      github: readyGithub,
      check: (r, tokens, rig) => {
        expectReady(r, tokens, rig)
        expect(r.outputs.images).toBe(`ghcr.io/octo/e2e-ready-${runtime}-${unique}`)
        expect(
          JSON.parse(r.outputs.findings!).filter(
            (f: { severity: string }) => f.severity === 'error',
          ),
        ).toEqual([])
      },
    },
    {
      name: 'ready, outputs on stdout: the password is masked before it is output',
      repository: 'octo/app',
      image: `ghcr.io/octo/e2e-mask-${runtime}-${unique}`,
      github: readyGithub,
      outputsOnStdout: true,
      check: (r, tokens) => {
        expect(r.outputs.password).toBe(tokens.github)
        const lines = r.stdout.split('\n')
        const mask = lines.indexOf(`::add-mask::${tokens.github}`)
        const output = lines.findIndex((l) => l.startsWith('::set-output name=password::'))
        expect(mask).toBeGreaterThanOrEqual(0)
        expect(output).toBeGreaterThan(mask)
        expect(lines[output]).toBe(`::set-output name=password::${tokens.github}`)
        // Nowhere else: every other line that holds it is a mask command.
        expect(
          lines.filter(
            (l) => l.includes(tokens.github!) && l !== lines[mask] && l !== lines[output],
          ),
        ).toEqual([])
      },
    },
    {
      name: 'organisation package linked to another repository → fail, quoting the registry',
      repository: 'acme/api',
      image: 'ghcr.io/acme/linked-elsewhere',
      github: {
        owners: { acme: 'org' },
        orgs: { acme: { members: {} } },
        tokens: { github: { kind: 'actions', packages: 'write' } },
        packages: [
          {
            owner: 'acme',
            name: 'linked-elsewhere',
            repository: 'acme/other',
            visibility: 'private',
            actions_access: { 'acme/other': 'write' },
          },
        ],
      },
      check: (r) => {
        expect(r.outputs).toMatchObject({
          result: 'fail',
          'can-push': 'false',
          'credential-source': 'none',
          password: '',
        })
        expect(r.exitCode).toBe(1)
        const findings = JSON.parse(r.outputs.findings!) as {
          id: string
          severity: string
          message: string
          image?: string
        }[]
        // ghcr.io's answer for an org package without this repository under Manage Actions
        // access (tuna-os/tunaOS#642).
        const cause = findings.find((f) => f.message.includes(`"${MSG.writePackage}"`))
        expect(cause).toBeDefined()
        expect(cause!.severity).toBe('error')
        expect(cause!.id).toBe('package-not-linked')
        expect(cause!.image).toBe('ghcr.io/acme/linked-elsewhere')
        expect(failureMessage(r)).toContain(`[${cause!.id}]`)
        expect(summaryChecks(r.summary)[PROBE_ROW]).toBe('fail')
        expect(r.summary).toContain(`&quot;${MSG.writePackage}&quot;`)
      },
    },
  ]
}

describe.each(RUNTIMES)('built bundle against the rig, %s', (runtime) => {
  let rig: Rig

  beforeAll(async () => {
    if (runtime === 'node24') node24() // may download Node 24 the first time
    rig = await startRig()
  }, 300_000)
  afterAll(async () => {
    await rig?.stop()
  })

  it.each(cases(runtime))('$name', async (c) => {
    const { tokens } = rig.setWorld({ repository: c.repository, github: c.github, files: {} })
    const owner = c.repository.split('/')[0]!
    const r = await runAction({
      runtime,
      inputs: { image: c.image, 'github-token': tokens.github! },
      env: {
        ...runnerEnv({
          repository: c.repository,
          apiUrl: rig.apiUrl,
          registryUrl: rig.registryUrl,
        }),
        ...(c.outputsOnStdout ? { GITHUB_OUTPUT: undefined } : {}),
      },
      event: {
        repository: {
          owner: {
            login: owner,
            type:
              c.github.owners && (c.github.owners as Record<string, string>)[owner] === 'org'
                ? 'Organization'
                : 'User',
          },
        },
      },
      files: { [WORKFLOW]: workflowFile(c.image) },
    })
    expect(r.timedOut).toBe(false)
    expect(r.stderr).toBe('')
    expectNoStackTrace(r)
    if (c.outputsOnStdout) {
      // The outputs went to stdout: read them from there.
      for (const cmd of r.commands.filter((x) => x.command === 'set-output')) {
        r.outputs[cmd.props.name!] = cmd.message
      }
    }
    const findings = expectContractOutputs(r)
    expectAnnotations(r, findings)
    expectSummary(r, findings)
    expectMasked(r, [tokens.github!])
    expectNoSecrets(r, Object.values(tokens), [owner, 'x-access-token'])
    c.check(r, tokens, rig)
  })
})
