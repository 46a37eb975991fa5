// The entry point's head start: when the run will read the running workflow at its commit with
// git (./load.ts: no workflow-file input, GITHUB_WORKSPACE and GITHUB_WORKFLOW_SHA set), start
// git at once, before the action's code is loaded, so that the git processes run while Node
// compiles and starts the action. The loader later asks for the same read (./git.ts matches it
// by its arguments); if the arguments come out different, it reads again and this one is unused.
// Kept small: everything imported here is compiled before git can start.

import { parseWorkflowRef } from '../context.js'
import { startReadingFileAtCommit } from './git.js'
import { MAX_WORKFLOW_BYTES, normaliseWorkflowPath } from './path.js'

export function prefetchRunningWorkflow(env: NodeJS.ProcessEnv): void {
  // The input names another file, read from the checkout (load.ts), not at the commit.
  if ((env['INPUT_WORKFLOW-FILE'] ?? '').trim()) return
  const workspace = env.GITHUB_WORKSPACE?.trim()
  const sha = env.GITHUB_WORKFLOW_SHA?.trim()
  const repository = (env.GITHUB_REPOSITORY ?? '').trim()
  if (!workspace || !sha || !repository) return
  const { path } = parseWorkflowRef(env.GITHUB_WORKFLOW_REF?.trim(), repository)
  const normalised = path ? normaliseWorkflowPath(path) : undefined
  if (typeof normalised !== 'string') return
  startReadingFileAtCommit({ workspace, sha, path: normalised, maxBytes: MAX_WORKFLOW_BYTES })
}
