// The REST emulator's workflow-run and package-version endpoints (rig/github-runs.mjs): bodies
// validated against GitHub's published OpenAPI description, the job log served from another
// host by a signed URL, and versions recorded from real pushes through the GHCR emulator.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startRig, type Rig } from '../../rig/index.mjs'
import { GithubOpenApi } from './openapi.js'
import { baseGithub, REPO } from './support.js'

let rig: Rig
let tokens: Record<string, string>
let openapi: GithubOpenApi

const RUN = '/repos/{owner}/{repo}/actions/runs/{run_id}'
const ATTEMPT = '/repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}'
const JOBS = '/repos/{owner}/{repo}/actions/runs/{run_id}/jobs'
const JOB = '/repos/{owner}/{repo}/actions/jobs/{job_id}'
const USER_VERSIONS = '/users/{username}/packages/{package_type}/{package_name}/versions'
const LOG =
  '2026-01-11T21:52:36.0000000Z ERROR: denied: installation not allowed to Write organization package\n'

beforeAll(async () => {
  rig = await startRig()
  openapi = new GithubOpenApi()
})
afterAll(async () => {
  await rig?.stop()
})

function world(): void {
  const github = baseGithub()
  github.runs = [
    {
      id: 4242,
      workflow_path: '.github/workflows/build.yml',
      head_sha: 'a'.repeat(40),
      event: 'pull_request',
      actor: 'contributor',
      head_repository: 'contributor/argocd-eda',
      pull_request: 7,
      jobs: [
        { id: 1, name: 'build', conclusion: 'failure', log: LOG },
        { id: 2, name: 'test', conclusion: 'success', log: 'ok\n' },
      ],
    },
  ]
  ;({ tokens } = rig.setWorld({ repository: REPO, github, files: {} }))
}

async function get(path: string, token?: string): Promise<Response> {
  return fetch(`${rig.apiUrl}${path}`, {
    redirect: 'manual',
    headers: {
      accept: 'application/vnd.github+json',
      ...(token ? { authorization: `Bearer ${tokens[token]}` } : {}),
    },
  })
}

function valid(template: string, status: number, body: unknown): void {
  const { validate, where } = openapi.validator(template, status)
  expect({ where, valid: validate(body), errors: validate.errors?.slice(0, 5) ?? null }).toEqual({
    where,
    valid: true,
    errors: null,
  })
}

describe('REST emulator: workflow runs', () => {
  it('answers the run, its attempt, its jobs and one job as GitHub documents them', async () => {
    world()
    const run = await get(`/repos/${REPO}/actions/runs/4242`, 'pat')
    expect(run.status).toBe(200)
    const body = (await run.json()) as Record<string, unknown>
    expect(body).toMatchObject({
      id: 4242,
      head_sha: 'a'.repeat(40),
      path: '.github/workflows/build.yml',
      event: 'pull_request',
      actor: { login: 'contributor' },
      head_repository: { full_name: 'contributor/argocd-eda' },
      repository: { full_name: REPO },
    })
    valid(RUN, 200, body)
    const attempt = await get(`/repos/${REPO}/actions/runs/4242/attempts/1`, 'pat')
    valid(ATTEMPT, 200, await attempt.json())
    const jobs = await get(
      `/repos/${REPO}/actions/runs/4242/jobs?filter=latest&per_page=100`,
      'pat',
    )
    const list = (await jobs.json()) as { total_count: number; jobs: Array<{ name: string }> }
    expect(list.total_count).toBe(2)
    expect(list.jobs.map((j) => j.name)).toEqual(['build', 'test'])
    valid(JOBS, 200, list)
    const job = await get(`/repos/${REPO}/actions/jobs/1`, 'pat')
    const one = await job.json()
    expect(one).toMatchObject({ id: 1, run_id: 4242, conclusion: 'failure' })
    valid(JOB, 200, one)
  })

  it("serves a job's log by a 302 to another host, which needs no token", async () => {
    world()
    const res = await get(`/repos/${REPO}/actions/jobs/1/logs`, 'pat')
    expect(res.status).toBe(302)
    const location = res.headers.get('location')!
    expect(new URL(location).host).not.toBe(new URL(rig.apiUrl).host)
    const log = await fetch(location)
    expect(log.status).toBe(200)
    expect(await log.text()).toBe(LOG)
    expect(rig.log.filter((e) => e.server === 'log-storage').map((e) => e.credential)).toEqual([
      'none',
    ])
    // A forged signature gets the storage's refusal, as Azure blob storage answers.
    const forged = await fetch(location.replace(/sig=\w+/, 'sig=forged'))
    expect(forged.status).toBe(403)
  })

  it('hides runs from anonymous callers and answers 404 for unknown runs, 401 for bad tokens', async () => {
    world()
    expect((await get(`/repos/${REPO}/actions/runs/4242`)).status).toBe(404)
    expect((await get(`/repos/${REPO}/actions/runs/9`, 'pat')).status).toBe(404)
    expect((await get(`/repos/${REPO}/actions/runs/4242`, 'expired')).status).toBe(401)
  })
})

describe('REST emulator: package versions', () => {
  it('lists the versions real pushes created, tags moving to the newest digest', async () => {
    world()
    const image = 'craigedmunds/versions-demo'
    const first = await rig.skopeoPush({ image, tag: 'v1', username: 'u', password: tokens.github })
    expect(first.ok).toBe(true)
    const second = await rig.skopeoPush({
      image,
      tag: 'v2',
      username: 'u',
      password: tokens.github,
    })
    expect(second.ok).toBe(true)
    const res = await get('/users/craigedmunds/packages/container/versions-demo/versions', 'pat')
    expect(res.status).toBe(200)
    const body = (await res.json()) as Array<{
      name: string
      metadata: { container: { tags: string[] } }
    }>
    valid(USER_VERSIONS, 200, body)
    const tags = body.flatMap((v) => v.metadata.container.tags).sort()
    expect(tags).toEqual(['v1', 'v2'])
    for (const v of body) expect(v.name).toMatch(/^sha256:[a-f0-9]{64}$/)
    // The run's token sees them too: its repository published the package, so it has admin.
    const asRun = await get(
      '/users/craigedmunds/packages/container/versions-demo/versions',
      'github',
    )
    expect(asRun.status).toBe(200)
  })
})
