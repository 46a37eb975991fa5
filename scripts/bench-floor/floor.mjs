// The cold-start floor (issue 13): the least a static run must do with the toolchain the project
// fixes, and nothing else, arranged at its fastest. git (through @actions/exec, one process, by
// absolute path) reads the running workflow at GITHUB_WORKFLOW_SHA while yaml's parseDocument
// (with a LineCounter, as src/workflow/parse.ts calls it) parses the same file from the
// checkout; the two must agree, and one output line is written. No analysis, no report, no
// context, no inputs. scripts/bench.mjs bundles it with ncc like dist/index.js and times it in the
// same rounds as the action: the action can only be slower than this.

import { appendFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { getExecOutput } from '@actions/exec'
import { LineCounter, parseDocument } from 'yaml'

const env = process.env
const workspace = env.GITHUB_WORKSPACE
const path = /^[^/]+\/[^/]+\/(.+)@/.exec(env.GITHUB_WORKFLOW_REF ?? '')?.[1]
if (!workspace || !path || !env.GITHUB_WORKFLOW_SHA || !env.GIT || !env.GITHUB_OUTPUT) {
  console.error(
    'floor: needs GITHUB_WORKSPACE, GITHUB_WORKFLOW_REF, GITHUB_WORKFLOW_SHA, GIT, GITHUB_OUTPUT',
  )
  process.exit(2)
}
const atCommit = getExecOutput(
  env.GIT,
  ['-C', workspace, 'cat-file', 'blob', `${env.GITHUB_WORKFLOW_SHA}:${path}`],
  { silent: true, ignoreReturnCode: true },
)
// exec finds the file and spawns git only once the main thread yields: let it, then parse
// while git runs.
await new Promise((resolve) => setImmediate(resolve))
const text = readFileSync(join(workspace, path), 'utf8')
const lineCounter = new LineCounter()
const doc = parseDocument(text, { lineCounter, keepSourceTokens: true })
const jobs = doc.toJS()?.jobs ?? {}
const git = await atCommit
if (git.exitCode !== 0 || git.stdout !== text) {
  console.error(`floor: git did not give the checkout's file (exit ${git.exitCode})`)
  process.exit(1)
}
appendFileSync(env.GITHUB_OUTPUT, `jobs=${Object.keys(jobs).length}\n`)
process.exit()
