export const ROOT: string
export const BUNDLE: string
export function pushWorkflow(o: { image: string; fallback?: boolean; on?: string }): string
export function node24(): string
export interface RunnerEnvOptions {
  repository: string
  actor?: string
  triggeringActor?: string
  eventName?: string
  job?: string
  workflowPath?: string
  serverUrl?: string
  apiUrl: string
  registryUrl: string
}
export function runnerEnv(o: RunnerEnvOptions): Record<string, string>
export function parseFileCommands(text: string): Record<string, string>
export interface WorkflowCommand {
  command: string
  props: Record<string, string>
  message: string
}
export function parseWorkflowCommands(stdout: string): WorkflowCommand[]
export interface GitWorkspace {
  commits: { name?: string; files?: Record<string, string | null> }[]
  checkout?: string | number
  shallow?: boolean
  /** GITHUB_WORKFLOW_SHA: a commit's name or index, or a literal SHA; default the checked-out one. */
  workflowSha?: string | number
}
export const PLAIN_WORKFLOW_SHA: string
export interface RunActionOptions {
  inputs?: Record<string, string>
  env?: Record<string, string | undefined>
  event?: unknown
  files?: Record<string, string>
  /** The workspace's git layout; default one commit holding `files`; false: no git. */
  git?: GitWorkspace | false
  runtime?: 'node20' | 'node24'
  timeoutMs?: number
  bundle?: string
  keep?: boolean
}
export interface ActionRun {
  exitCode: number | null
  timedOut: boolean
  wallMs: number
  stdout: string
  stderr: string
  commands: WorkflowCommand[]
  outputs: Record<string, string>
  summary: string
  state: string
  envFile: string
  dir: string
}
export interface PreparedRun {
  dir: string
  cwd: string
  env: Record<string, string>
  workflowSha: string
  reset(): void
  read(): { outputs: Record<string, string>; summary: string; state: string; envFile: string }
  cleanup(): void
}
export function prepareRun(
  opts?: Pick<RunActionOptions, 'inputs' | 'env' | 'event' | 'files' | 'git'>,
): PreparedRun
export function runAction(opts?: RunActionOptions): Promise<ActionRun>
