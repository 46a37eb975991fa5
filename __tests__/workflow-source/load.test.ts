import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RunContext } from '../../src/context.js'
import { runContext } from '../helpers/run-context.js'
import { createGitHubApi } from '../../src/github/api.js'
import {
  listRepositoryWorkflows,
  loadWorkflowFile,
  MAX_LISTED_WORKFLOWS,
} from '../../src/workflow-source/load.js'
import { FakeGitHub, ghError, json, testHttpClient } from '../github/fake-github.js'

const RUN = 'ghs_' + 'r7'.repeat(18)
const SHA = 'c0ffee'.padEnd(40, '0')
const BUILD = 'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n'
const REMOTE = 'on: push\njobs:\n  remote:\n    runs-on: ubuntu-latest\n'

// Made at load time: the test tables below are built before beforeAll runs.
const root = mkdtempSync(join(tmpdir(), 'wf-load-'))
const workspace = join(root, 'ws')
const empty = join(root, 'empty-ws')
const gh = new FakeGitHub()
let api: ReturnType<typeof createGitHubApi>

function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, text)
}

function contents(text: string) {
  return json(200, {
    type: 'file',
    encoding: 'base64',
    size: Buffer.byteLength(text),
    content: Buffer.from(text)
      .toString('base64')
      .replace(/(.{60})/g, '$1\n'),
  })
}

beforeAll(async () => {
  mkdirSync(empty)
  write(join(workspace, '.github/workflows/build.yml'), BUILD)
  write(join(workspace, '.github/workflows/release.yaml'), 'on: release\n')
  write(join(workspace, '.github/workflows/notes.txt'), 'not a workflow')
  write(join(workspace, '.github/workflows/sub/nested.yml'), 'on: push\n')
  write(join(workspace, 'ci/other.yml'), 'on: workflow_dispatch\n')
  write(join(workspace, '.github/workflows/huge.yml'), 'x'.repeat(1024 * 1024 + 1))
  mkdirSync(join(workspace, '.github/workflows/dir.yml'))
  write(join(root, 'outside/secret.yml'), 'secret: yes\n')
  symlinkSync(join(root, 'outside/secret.yml'), join(workspace, '.github/workflows/link.yml'))

  gh.route('GET', /^\/repos\/acme\/app\/contents\//, (req, url) => {
    if (req.headers.authorization !== `Bearer ${RUN}`) return ghError(401, 'Bad credentials')
    const path = url.pathname.replace('/repos/acme/app/contents/', '')
    if (path === '.github/workflows/build.yml' || path === 'ci/remote.yml') return contents(REMOTE)
    if (path === '.github/workflows/private.yml')
      return ghError(403, 'Resource not accessible by integration')
    return ghError(404, 'Not Found')
  })
  await gh.start()
  api = createGitHubApi({ apiUrl: gh.url, http: testHttpClient() })
})
afterAll(async () => {
  await gh.stop()
  rmSync(root, { recursive: true, force: true })
})

function ctx(over: Partial<RunContext> = {}): RunContext {
  return runContext({
    apiUrl: gh.url,
    workflowRef: 'refs/heads/main',
    workflowSha: SHA,
    workspace,
    ...over,
  })
}

describe('loadWorkflowFile', () => {
  const found: {
    name: string
    ctx: Partial<RunContext>
    override?: string
    expected: { path: string; text: string; source: string }
    asked?: string
  }[] = [
    {
      name: 'no commit known: from the checkout',
      ctx: { workflowSha: undefined },
      expected: { path: '.github/workflows/build.yml', text: BUILD, source: 'workspace' },
    },
    {
      name: 'files that are not a git checkout: contents API at the workflow SHA',
      ctx: {},
      expected: { path: '.github/workflows/build.yml', text: REMOTE, source: 'api' },
      asked: `/repos/acme/app/contents/.github/workflows/build.yml?ref=${SHA}`,
    },
    {
      name: 'not checked out: contents API at the workflow SHA',
      ctx: { workspace: empty },
      expected: { path: '.github/workflows/build.yml', text: REMOTE, source: 'api' },
      asked: `/repos/acme/app/contents/.github/workflows/build.yml?ref=${SHA}`,
    },
    {
      name: 'no SHA: contents API at the workflow ref',
      ctx: { workspace: empty, workflowSha: undefined },
      expected: { path: '.github/workflows/build.yml', text: REMOTE, source: 'api' },
      asked: '/repos/acme/app/contents/.github/workflows/build.yml?ref=refs%2Fheads%2Fmain',
    },
    {
      name: 'no workspace at all',
      ctx: { workspace: undefined },
      expected: { path: '.github/workflows/build.yml', text: REMOTE, source: 'api' },
      asked: `/repos/acme/app/contents/.github/workflows/build.yml?ref=${SHA}`,
    },
    {
      name: 'workflow-file input, in the checkout',
      ctx: {},
      override: './ci//other.yml',
      expected: { path: 'ci/other.yml', text: 'on: workflow_dispatch\n', source: 'input' },
    },
    {
      name: 'workflow-file input, fetched',
      ctx: {},
      override: 'ci/remote.yml',
      expected: { path: 'ci/remote.yml', text: REMOTE, source: 'input' },
      asked: `/repos/acme/app/contents/ci/remote.yml?ref=${SHA}`,
    },
  ]
  it.each(found)('$name', async (c) => {
    const before = gh.requests.length
    const got = await loadWorkflowFile({
      ctx: ctx(c.ctx),
      api,
      token: RUN,
      ...(c.override ? { override: c.override } : {}),
    })
    expect(got).toEqual(c.expected)
    const asked = gh.requests.slice(before).map((r) => r.path)
    expect(asked).toEqual(c.asked ? [c.asked] : [])
  })

  const refused: {
    name: string
    ctx?: Partial<RunContext>
    override?: string
    says: RegExp
    noToken?: boolean
    /** API requests made; 0 when omitted. */
    requests?: number
  }[] = [
    {
      name: 'parent-directory escape',
      override: '../outside/secret.yml',
      says: /leaves the repository/,
    },
    {
      name: 'escape hidden mid-path',
      override: '.github/workflows/../../../outside/secret.yml',
      says: /leaves the repository/,
    },
    { name: 'absolute path', override: '/etc/passwd', says: /relative to the repository root/ },
    { name: 'Windows drive path', override: 'C:\\x.yml', says: /relative to the repository root/ },
    {
      name: 'symlink to a file outside the workspace',
      override: '.github/workflows/link.yml',
      says: /outside the workspace/,
    },
    { name: 'over 1 MiB', override: '.github/workflows/huge.yml', says: /1048577 bytes.*1 MiB/ },
    { name: 'a directory', override: '.github/workflows/dir.yml', says: /not a file/ },
    {
      name: 'no GITHUB_WORKFLOW_REF and no input',
      ctx: { workflowPath: undefined },
      says: /workflow-file/,
    },
    {
      name: 'not in the repository either',
      ctx: { workspace: empty, workflowPath: '.github/workflows/gone.yml' },
      says: /GitHub has no \.github\/workflows\/gone\.yml in acme\/app@c0ffee/,
      requests: 1,
    },
    {
      name: 'contents API refused',
      ctx: { workspace: empty, workflowPath: '.github/workflows/private.yml' },
      says: /contents: read/,
      requests: 1,
    },
    {
      name: 'not checked out and no token',
      ctx: { workspace: empty },
      says: /not in the workspace.*no token/,
      noToken: true,
    },
  ]
  it.each(refused)('refuses: $name', async (c) => {
    const before = gh.requests.length
    const got = await loadWorkflowFile({
      ctx: ctx(c.ctx ?? {}),
      api,
      token: c.noToken ? '' : RUN,
      ...(c.override ? { override: c.override } : {}),
    })
    expect(got).toEqual({ problem: expect.stringMatching(c.says) })
    expect(JSON.stringify(got)).not.toContain(RUN)
    expect(JSON.stringify(got)).not.toContain('secret: yes')
    // Local refusals never reach out to the API.
    expect(gh.requests.length - before).toBe(c.requests ?? 0)
  })
})

describe('listRepositoryWorkflows', () => {
  it('lists top-level .yml/.yaml files, skipping oversized, directories and escaping links', () => {
    const got = listRepositoryWorkflows(workspace)
    expect(got.map((f) => f.path)).toEqual([
      '.github/workflows/build.yml',
      '.github/workflows/release.yaml',
    ])
    expect(got[0]!.text).toBe(BUILD)
  })

  it('is empty without a workflows folder', () => {
    expect(listRepositoryWorkflows(empty)).toEqual([])
    expect(listRepositoryWorkflows(join(root, 'does-not-exist'))).toEqual([])
  })

  it(`stops at ${MAX_LISTED_WORKFLOWS} files`, () => {
    const many = join(root, 'many')
    for (let i = 0; i < MAX_LISTED_WORKFLOWS + 5; i++) {
      write(join(many, `.github/workflows/w${String(i).padStart(3, '0')}.yml`), 'on: push\n')
    }
    const got = listRepositoryWorkflows(many)
    expect(got).toHaveLength(MAX_LISTED_WORKFLOWS)
    expect(got[0]!.path).toBe('.github/workflows/w000.yml')
  })
})
