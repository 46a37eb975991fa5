// The running workflow file is the one at GITHUB_WORKFLOW_SHA: read with real git from the
// workspace when it holds that commit, else through the contents API at that SHA, never the
// checked-out file of another commit or repository.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RunContext } from '../../src/context.js'
import { runContext } from '../helpers/run-context.js'
import { createGitHubApi } from '../../src/github/api.js'
import { loadWorkflowFile } from '../../src/workflow-source/load.js'
import { makeGitWorkspace } from '../../scripts/lib/git-workspace.mjs'
import { FakeGitHub, ghError, json, testHttpClient } from '../github/fake-github.js'

const RUN = 'ghs_' + 'g1'.repeat(18)
const WORKFLOW = '.github/workflows/build.yml'
const BASE = 'on: pull_request_target\njobs:\n  build:\n    permissions:\n      packages: write\n'
const HEAD = 'on: pull_request_target\njobs:\n  build:\n    permissions:\n      packages: read\n'
const OTHER = 'on: push\njobs:\n  docs:\n    runs-on: ubuntu-latest\n'
/** What the contents API serves: the repository at the workflow's commit. */
const AT_SHA = BASE

const root = mkdtempSync(join(tmpdir(), 'wf-git-'))
const gh = new FakeGitHub()
let api: ReturnType<typeof createGitHubApi>
let n = 0

/** A fresh workspace with the given commits; returns it and the SHAs by commit name. */
function workspace(spec: Parameters<typeof makeGitWorkspace>[1]) {
  const dir = join(root, `ws-${n++}`)
  return { dir, shas: makeGitWorkspace(dir, spec) }
}

beforeAll(async () => {
  gh.route('GET', /^\/repos\/acme\/app\/contents\//, (req, url) => {
    if (req.headers.authorization !== `Bearer ${RUN}`) return ghError(401, 'Bad credentials')
    const path = url.pathname.replace('/repos/acme/app/contents/', '')
    if (path !== WORKFLOW) return ghError(404, 'Not Found')
    return json(200, {
      type: 'file',
      encoding: 'base64',
      size: Buffer.byteLength(AT_SHA),
      content: Buffer.from(AT_SHA).toString('base64'),
    })
  })
  await gh.start()
  api = createGitHubApi({ apiUrl: gh.url, http: testHttpClient() })
})
afterAll(async () => {
  await gh.stop()
  rmSync(root, { recursive: true, force: true })
})

function ctx(ws: string, sha: string, over: Partial<RunContext> = {}): RunContext {
  return runContext({
    apiUrl: gh.url,
    eventName: 'pull_request_target',
    workflowPath: WORKFLOW,
    workflowRef: 'refs/heads/main',
    workflowSha: sha,
    workspace: ws,
    ...over,
  })
}

/** Loads with the run token; returns the result and the API paths it asked for. */
async function load(c: RunContext, o: { token?: string; override?: string } = {}) {
  const before = gh.requests.length
  const got = await loadWorkflowFile({
    ctx: c,
    api,
    token: o.token ?? RUN,
    ...(o.override ? { override: o.override } : {}),
  })
  return { got, asked: gh.requests.slice(before).map((r) => r.path) }
}

const asked = (sha: string) => [`/repos/acme/app/contents/${WORKFLOW}?ref=${sha}`]

describe('read with git from a checkout holding the commit', () => {
  it('the checked-out commit: the workspace file, no request', async () => {
    const { dir, shas } = workspace({ commits: [{ files: { [WORKFLOW]: BASE } }] })
    expect(await load(ctx(dir, shas[0]!))).toEqual({
      got: { path: WORKFLOW, text: BASE, source: 'workspace' },
      asked: [],
    })
  })

  it('a step edited the checked-out file: the committed text', async () => {
    const { dir, shas } = workspace({ commits: [{ files: { [WORKFLOW]: BASE } }] })
    writeFileSync(join(dir, WORKFLOW), HEAD)
    expect(await load(ctx(dir, shas[0]!))).toEqual({
      got: { path: WORKFLOW, text: BASE, source: 'git' },
      asked: [],
    })
  })

  it('pull_request_target with the head checked out (full history): the base commit, not the head', async () => {
    const { dir, shas } = workspace({
      commits: [
        { name: 'base', files: { [WORKFLOW]: BASE } },
        { name: 'head', files: { [WORKFLOW]: HEAD } },
      ],
      checkout: 'head',
    })
    expect(await load(ctx(dir, shas.base!))).toEqual({
      got: { path: WORKFLOW, text: BASE, source: 'git' },
      asked: [],
    })
  })

  it('a path with spaces and glob characters is taken literally', async () => {
    const odd = '.github/workflows/my build [x]*.yml'
    const { dir, shas } = workspace({
      commits: [{ files: { [odd]: BASE, '.github/workflows/my build x.yml': HEAD } }],
    })
    const got = await load(ctx(dir, shas[0]!, { workflowPath: odd }))
    expect(got).toEqual({ got: { path: odd, text: BASE, source: 'workspace' }, asked: [] })
  })
})

describe('the workspace cannot show the commit: contents API at the SHA', () => {
  it('pull_request_target, shallow clone of the head', async () => {
    const { dir, shas } = workspace({
      commits: [
        { name: 'base', files: { [WORKFLOW]: BASE } },
        { name: 'head', files: { [WORKFLOW]: HEAD } },
      ],
      checkout: 'head',
      shallow: true,
    })
    expect(await load(ctx(dir, shas.base!))).toEqual({
      got: { path: WORKFLOW, text: AT_SHA, source: 'api' },
      asked: asked(shas.base!),
    })
  })

  it('another repository checked out into the workspace', async () => {
    const { dir } = workspace({ commits: [{ files: { [WORKFLOW]: OTHER } }] })
    const sha = 'c0ffee'.padEnd(40, '1')
    expect(await load(ctx(dir, sha))).toEqual({
      got: { path: WORKFLOW, text: AT_SHA, source: 'api' },
      asked: asked(sha),
    })
  })

  it('plain files, no git', async () => {
    const dir = join(root, 'plain')
    mkdirSync(join(dir, '.github/workflows'), { recursive: true })
    writeFileSync(join(dir, WORKFLOW), HEAD)
    const sha = 'c0ffee'.padEnd(40, '2')
    expect(await load(ctx(dir, sha))).toEqual({
      got: { path: WORKFLOW, text: AT_SHA, source: 'api' },
      asked: asked(sha),
    })
  })

  it('git is not installed', async () => {
    const { dir, shas } = workspace({ commits: [{ files: { [WORKFLOW]: HEAD } }] })
    const path = process.env.PATH
    process.env.PATH = join(root, 'no-git-here')
    try {
      const got = await load(ctx(dir, shas[0]!), { token: '' })
      expect(got.got).toEqual({ problem: expect.stringMatching(/git is not installed.*no token/) })
    } finally {
      process.env.PATH = path
    }
  })

  it('says why when the API cannot be asked either', async () => {
    const { dir, shas } = workspace({
      commits: [{ name: 'base', files: { [WORKFLOW]: BASE } }, { name: 'head' }],
      shallow: true,
    })
    const { got } = await load(ctx(dir, shas.base!), { token: '' })
    expect(got).toEqual({
      problem:
        `Could not read the workflow file ${WORKFLOW}: ${WORKFLOW} at commit ${shas.base!.slice(0, 7)} ` +
        `is not in the workspace (the workspace's git history does not hold commit ${shas.base!.slice(0, 7)} ` +
        '(a shallow clone of another ref, or another repository)), and no token was given to fetch it.',
    })
  })
})

describe('the commit is there and has no such file: said at once, nothing fetched', () => {
  let dir: string
  let sha: string
  beforeAll(() => {
    dir = workspace({
      commits: [
        { files: { [WORKFLOW]: BASE, '.github/workflows/huge.yml': 'x'.repeat(1024 * 1024 + 1) } },
      ],
    }).dir
    // A committed symbolic link: git stores its target as the blob.
    symlinkSync('build.yml', join(dir, '.github/workflows/link.yml'))
    git(dir, 'add', '-A')
    git(dir, '-c', 'user.name=t', '-c', 'user.email=t@t.invalid', 'commit', '-q', '-m', 'link')
    sha = git(dir, 'rev-parse', 'HEAD')
  })

  it.each([
    [
      'no file at that path',
      '.github/workflows/gone.yml',
      /gone\.yml is not in commit [0-9a-f]{7} \(GITHUB_WORKFLOW_SHA\)/,
    ],
    ['a folder', '.github/workflows', /is a folder, not a file/],
    ['a symbolic link', '.github/workflows/link.yml', /is a symbolic link, not a file/],
    ['over 1 MiB', '.github/workflows/huge.yml', /1048577 bytes.*1 MiB/],
  ])('%s', async (_name, path, says) => {
    const { got, asked: requests } = await load(ctx(dir, sha, { workflowPath: path }))
    expect(got).toEqual({ problem: expect.stringMatching(says) })
    expect(requests).toEqual([])
  })
})

describe('the workflow-file input keeps its meaning: the checked-out file, else the API', () => {
  it('reads the working tree even when it differs from the commit', async () => {
    const { dir, shas } = workspace({ commits: [{ files: { [WORKFLOW]: BASE } }] })
    writeFileSync(join(dir, WORKFLOW), HEAD)
    expect(await load(ctx(dir, shas[0]!), { override: WORKFLOW })).toEqual({
      got: { path: WORKFLOW, text: HEAD, source: 'input' },
      asked: [],
    })
  })
})

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim()
}
