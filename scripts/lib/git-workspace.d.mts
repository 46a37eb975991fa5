import type { GitWorkspace } from './action-process.mjs'
export function makeGitWorkspace(
  dir: string,
  spec: Omit<GitWorkspace, 'workflowSha'>,
): Record<string, string>
