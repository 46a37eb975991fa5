// The composite action end to end against the rig: the real bundle runs with exactly the `with:`
// the composite's preflight step would give it, its real GITHUB_OUTPUT feeds the composite's
// expressions (action.yml), and whatever docker/login-action would receive is used for a real
// push with skopeo. The login step must run exactly when that push works. The reusable workflow
// (.github/workflows/ghcr-push.yml) is evaluated with the same outputs: it pushes only when
// can-push. Build first: `bash scripts/build.sh`.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { startRig, type Rig } from '../../rig/index.mjs'
import { ROOT, node24, pushWorkflow, runAction } from '../../scripts/lib/action-process.mjs'
import {
  evaluateComposite,
  evaluateWorkflowJob,
  parseGithubOutput,
  type EvaluatedStep,
} from '../composite/evaluate.js'
import { expectContractOutputs, expectNoSecrets, runnerEnv } from './support.js'

const ACTION = join(ROOT, 'action.yml')
const GHCR_PUSH = join(ROOT, '.github', 'workflows', 'ghcr-push.yml')
const WORKFLOW = '.github/workflows/build.yml'
const unique = `${process.pid}-${Date.now().toString(36)}`

const workflowFile = (image: string): string =>
  pushWorkflow({ image, fallback: true, on: '[push, pull_request]' })

interface Scenario {
  name: string
  repository: string
  image: string
  eventName?: string
  event?: Record<string, unknown>
  github: Record<string, unknown>
  /** Name of the token in the world that the caller passes as fallback-token (secrets.GHCR_TOKEN). */
  fallback?: string
  result: 'ready' | 'fallback' | 'fail' | 'skip'
}

const scenarios: Scenario[] = [
  {
    name: 'ready: the run token can push',
    repository: 'octo/app',
    image: `ghcr.io/octo/e2e-composite-ready-${unique}`,
    github: {
      owners: { octo: 'user' },
      tokens: { github: { kind: 'actions', packages: 'write' } },
    },
    result: 'ready',
  },
  {
    name: 'fallback: the package is linked elsewhere, a verified GHCR_TOKEN can push',
    repository: 'octo/app',
    image: 'ghcr.io/octo/backstage',
    fallback: 'pat',
    github: {
      owners: { octo: 'user' },
      tokens: {
        github: { kind: 'actions', packages: 'write' },
        pat: { kind: 'classic', owner: 'octo', scopes: ['write:packages', 'read:packages'] },
      },
      packages: [
        {
          owner: 'octo',
          name: 'backstage',
          repository: 'octo/other',
          visibility: 'private',
          actions_access: { 'octo/other': 'write' },
        },
      ],
    },
    result: 'fallback',
  },
  {
    name: 'fail: organisation package linked to another repository, no fallback',
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
    result: 'fail',
  },
  {
    name: 'skip: pull request from a fork (read-only token, no secrets)',
    repository: 'octo/app',
    image: `ghcr.io/octo/e2e-composite-skip-${unique}`,
    eventName: 'pull_request',
    event: {
      number: 9,
      pull_request: { number: 9, head: { repo: { full_name: 'evil/app', fork: true } } },
    },
    github: { owners: { octo: 'user' }, tokens: { github: { kind: 'actions', packages: 'read' } } },
    result: 'skip',
  },
]

function loginStep(steps: EvaluatedStep[]): EvaluatedStep {
  const found = steps.filter((s) => s.uses?.startsWith('docker/login-action@'))
  expect(found).toHaveLength(1)
  return found[0]!
}

function stepById(steps: EvaluatedStep[], id: string): EvaluatedStep {
  const found = steps.find((s) => s.id === id)
  if (!found) throw new Error(`no step with id ${id}`)
  return found
}

/** Repository path of an image on the registry: ghcr.io/octo/app → octo/app. */
const repoPath = (image: string): string => image.replace(/^[^/]+\//, '')

describe('composite action end to end against the rig (node24, as the runner runs it)', () => {
  let rig: Rig

  beforeAll(async () => {
    node24() // may download Node 24 the first time
    rig = await startRig()
  }, 300_000)
  afterAll(async () => {
    await rig?.stop()
  })

  it.each(scenarios)('$name', async (s) => {
    const { tokens } = rig.setWorld({ repository: s.repository, github: s.github, files: {} })
    const owner = s.repository.split('/')[0]!
    const runToken = tokens.github!
    const secret = s.fallback ? tokens[s.fallback]! : '' // forks get no secrets
    const github = {
      token: runToken,
      repository: s.repository,
      repository_owner: owner,
      actor: owner,
      server_url: 'https://github.com',
      event_name: s.eventName ?? 'push',
    }
    // The caller's step, as in contracts §1: image and the GHCR_TOKEN secret.
    const callerWith = { image: s.image, 'fallback-token': secret }

    // 1. What the composite hands its preflight step is what the bundle runs with.
    const before = evaluateComposite(ACTION, { inputs: callerWith, preflightOutputs: {}, github })
    expect(before.warnings).toEqual([])
    const preflightStep = stepById(before.steps, 'preflight')
    expect(preflightStep.runs).toBe(true)
    expect(preflightStep.with['github-token']).toBe(runToken)
    const run = await runAction({
      runtime: 'node24',
      inputs: preflightStep.with,
      env: runnerEnv({
        repository: s.repository,
        eventName: s.eventName ?? 'push',
        apiUrl: rig.apiUrl,
        registryUrl: rig.registryUrl,
      }),
      event: { ...s.event, repository: { owner: { login: owner, type: 'User' } } },
      files: { [WORKFLOW]: workflowFile(s.image) },
      keep: true,
    })
    let outputs: Record<string, string>
    try {
      // 2. The runner reads GITHUB_OUTPUT; so does this test, with the composite's parser.
      outputs = parseGithubOutput(readFileSync(join(run.dir, 'output'), 'utf8'))
    } finally {
      rmSync(run.dir, { recursive: true, force: true })
    }
    expect(run.stderr).toBe('')
    expectContractOutputs(run)
    expectNoSecrets(run, Object.values(tokens), [owner])
    expect(outputs).toEqual(run.outputs)
    expect(outputs.result).toBe(s.result)
    expect(run.exitCode).toBe(s.result === 'fail' ? 1 : 0)
    const images = outputs.images!.split('\n').filter(Boolean)
    expect(images).toEqual([s.image])

    // 3. The composite with those outputs and the step's real outcome.
    const outcome = run.exitCode === 0 ? 'success' : 'failure'
    const after = evaluateComposite(ACTION, {
      inputs: callerWith,
      preflightOutputs: outputs,
      preflightOutcome: outcome,
      github,
    })
    const login = loginStep(after.steps)
    const canPush = outputs['can-push'] === 'true'
    expect(login.runs).toBe(canPush)
    expect(login.runs).toBe(s.result === 'ready' || s.result === 'fallback')
    expect(after.outputs.result).toBe(s.result)

    // 4. What docker/login-action would receive: the proven credential, or nothing at all.
    const expectedPassword = { ready: runToken, fallback: secret, fail: '', skip: '' }[s.result]
    expect(login.with).toEqual({
      registry: 'ghcr.io',
      username: outputs.username,
      password: expectedPassword,
    })
    // Push for real: with the login step's credential when it runs, else with the run's token.
    // The push must work exactly when the login step runs.
    const tag = `e2e-${Date.now().toString(36)}`
    const credential = login.runs
      ? { username: login.with.username!, password: login.with.password! }
      : { username: owner, password: runToken }
    const pushed = await rig.skopeoPush({ image: repoPath(images[0]!), tag, ...credential })
    expect(pushed.ok).toBe(login.runs)
    expect(pushed.stderr).toMatch(login.runs ? /(?:)/ : /denied|unauthorized|403|401/i)
    // And the run's token alone pushes exactly when the verdict is ready (so a fallback was needed).
    const withRunToken = await rig.skopeoPush({
      image: repoPath(images[0]!),
      tag: `${tag}-run`,
      username: owner,
      password: runToken,
    })
    expect(withRunToken.ok).toBe(s.result === 'ready')

    // 5. The reusable workflow with the same outputs: build-push pushes only when can-push.
    const job = evaluateWorkflowJob(GHCR_PUSH, 'push', {
      inputs: { image: s.image },
      secrets: { GHCR_TOKEN: secret },
      stepOutputs: {
        // The `image` step lower-cases the input in bash (run for real in composite.test.ts).
        image: { image: s.image.toLowerCase() },
        preflight: outputs,
        meta: { tags: `${s.image}:${tag}`, labels: '' },
      },
      stepOutcomes: { preflight: outcome },
      github,
    })
    expect(stepById(job.steps, 'preflight').with).toMatchObject({
      image: s.image,
      'fallback-token': secret,
    })
    expect(loginStep(job.steps).runs).toBe(canPush)
    const build = stepById(job.steps, 'build')
    const pushes = build.runs && build.with.push === 'true'
    expect(pushes).toBe(canPush)
    expect(job.workflowOutputs.result).toBe(s.result)
  })
})
