// The entry point starts git on the running workflow before the action loads
// (src/workflow-source/prefetch.ts); the loader must take that read when, and only when, it asks
// for the same file at the same commit. To tell a started read from a fresh one, PATH loses git
// after the prefetch: a fresh read then finds no git.
import { afterAll, afterEach, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RunContext } from '../../src/context.js'
import { runContext } from '../helpers/run-context.js'
import { readFileAtCommit } from '../../src/workflow-source/git.js'
import { loadWorkflowFile } from '../../src/workflow-source/load.js'
import { MAX_WORKFLOW_BYTES } from '../../src/workflow-source/path.js'
import { prefetchRunningWorkflow } from '../../src/workflow-source/prefetch.js'
import { makeGitWorkspace } from '../../scripts/lib/git-workspace.mjs'

const WORKFLOW = '.github/workflows/build.yml'
const COMMITTED = 'on: push\njobs:\n  build:\n    permissions:\n      packages: write\n'
const root = mkdtempSync(join(tmpdir(), 'wf-prefetch-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
const PATH = process.env.PATH
afterEach(() => {
  process.env.PATH = PATH
})

let n = 0
function checkout() {
  const dir = join(root, `ws-${n++}`)
  const [sha] = Object.values(
    makeGitWorkspace(dir, { commits: [{ files: { [WORKFLOW]: COMMITTED } }] }),
  )
  // A step edited the file after checkout: only a read at the commit gives COMMITTED.
  writeFileSync(join(dir, WORKFLOW), 'edited: true\n')
  return { dir, sha: sha! }
}

function runnerEnv(dir: string, sha: string, over: Record<string, string> = {}) {
  return {
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_WORKSPACE: dir,
    GITHUB_WORKFLOW_SHA: sha,
    GITHUB_WORKFLOW_REF: `acme/app/./${WORKFLOW}@refs/heads/main`,
    ...over,
  }
}

function ctx(dir: string, sha: string): RunContext {
  return runContext({ workflowPath: WORKFLOW, workflowSha: sha, workspace: dir })
}

const withoutGit = () => (process.env.PATH = join(root, 'no-git-here'))

describe('prefetchRunningWorkflow', () => {
  it('the loader takes the read started before it, with the path normalised the same way', async () => {
    const { dir, sha } = checkout()
    prefetchRunningWorkflow(runnerEnv(dir, sha))
    withoutGit()
    expect(await loadWorkflowFile({ ctx: ctx(dir, sha) })).toEqual({
      path: WORKFLOW,
      text: COMMITTED,
      source: 'git',
    })
  })

  it('a read is taken once: a second ask reads again', async () => {
    const { dir, sha } = checkout()
    prefetchRunningWorkflow(runnerEnv(dir, sha))
    withoutGit()
    const ask = { workspace: dir, sha, path: WORKFLOW, maxBytes: MAX_WORKFLOW_BYTES }
    expect(await readFileAtCommit(ask)).toEqual({ kind: 'file', text: COMMITTED })
    expect(await readFileAtCommit(ask)).toEqual({
      kind: 'unavailable',
      why: 'git is not installed',
    })
  })

  it('another commit is read afresh, never from the started read', async () => {
    const { dir, sha } = checkout()
    prefetchRunningWorkflow(runnerEnv(dir, sha))
    withoutGit()
    const other = 'f'.repeat(40)
    const got = await loadWorkflowFile({ ctx: ctx(dir, other) })
    expect(got).toEqual({ problem: expect.stringMatching(/git is not installed/) })
  })

  it.each([
    ['the workflow-file input is set', { 'INPUT_WORKFLOW-FILE': WORKFLOW }],
    ['GITHUB_WORKFLOW_SHA is not set', { GITHUB_WORKFLOW_SHA: '' }],
    ['GITHUB_WORKSPACE is not set', { GITHUB_WORKSPACE: '' }],
  ])('starts nothing when %s', async (_name, over) => {
    const { dir, sha } = checkout()
    prefetchRunningWorkflow(runnerEnv(dir, sha, over))
    withoutGit()
    const ask = { workspace: dir, sha, path: WORKFLOW, maxBytes: MAX_WORKFLOW_BYTES }
    expect(await readFileAtCommit(ask)).toEqual({
      kind: 'unavailable',
      why: 'git is not installed',
    })
  })
})
