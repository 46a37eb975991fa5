// Generated from the JSDoc in the .mjs file by `node rig/gen-types.mjs`; do not edit.
/**
 * `github.runs` of a scenario → runs. Throws a plain message naming the bad field.
 * @param {unknown} raw @param {string} repository
 * @returns {WorldRun[]}
 */
export function parseRuns(raw: unknown, repository: string): WorldRun[]
/**
 * Records a pushed manifest as a package version (ghcr.io: one version per digest, its tags on
 * it; a tag pushed again moves to the new digest).
 * @param {{ versions?: WorldVersion[] }} pkg @param {string} reference tag or digest @param {string|undefined} digest
 */
export function recordVersion(
  pkg: {
    versions?: WorldVersion[]
  },
  reference: string,
  digest: string | undefined,
): void
/**
 * A server on another loopback host standing for the blob storage job logs are served from.
 * @param {(entry: import('./ghcr-emulator.mjs').LogEntry) => void} record
 * @param {() => Map<string, string>} logs  signature → log text
 * @returns {Promise<{ url: string, stop: () => Promise<void> }>}
 */
export function startLogStorage(
  record: (entry: import('./ghcr-emulator.mjs').LogEntry) => void,
  logs: () => Map<string, string>,
): Promise<{
  url: string
  stop: () => Promise<void>
}>
/**
 * The run endpoints, as a router the REST emulator consults.
 * @param {{
 *   api: () => string, web: string, logStorageUrl: () => string,
 *   signedLogs: Map<string, string>,
 *   minimalRepository: (fullName: string) => Record<string, unknown>,
 *   simpleUser: (login: string, type: 'User'|'Organization') => Record<string, unknown>,
 * }} h
 */
export function createRunRoutes(h: {
  api: () => string
  web: string
  logStorageUrl: () => string
  signedLogs: Map<string, string>
  minimalRepository: (fullName: string) => Record<string, unknown>
  simpleUser: (login: string, type: 'User' | 'Organization') => Record<string, unknown>
}): (
  seg: string[],
  url: URL,
  world: import('./world.mjs').World,
  t: import('./world.mjs').WorldToken | undefined,
) =>
  | {
      status: number
      body: unknown
      headers?: Record<string, string>
    }
  | undefined
/**
 * GET …/packages/container/{name}/versions body for a package.
 * @param {{ owner: string, name: string, versions?: WorldVersion[] }} pkg
 * @param {'orgs'|'users'} scope @param {string} api @param {string} web
 */
export function versionObjects(
  pkg: {
    owner: string
    name: string
    versions?: WorldVersion[]
  },
  scope: 'orgs' | 'users',
  api: string,
  web: string,
): {
  id: number
  name: string
  url: string
  package_html_url: string
  html_url: string
  created_at: string
  updated_at: string
  metadata: {
    package_type: string
    container: {
      tags: string[]
    }
  }
}[]
export type WorldJob = {
  id: number
  name: string
  conclusion: 'success' | 'failure' | 'cancelled' | 'skipped' | 'timed_out'
  /**
   * the job's log text, as the runner wrote it
   */
  log: string
}
export type WorldRun = {
  id: number
  /**
   * e.g. .github/workflows/build.yml
   */
  workflow_path: string
  head_sha: string
  event: string
  actor: string
  triggering_actor: string
  /**
   * owner/repo of the head commit (a fork for fork PRs)
   */
  head_repository: string | null
  pull_request: number | null
  run_attempt: number
  jobs: WorldJob[]
}
export type WorldVersion = {
  id: number
  /**
   * sha256:…
   */
  digest: string
  tags: string[]
  created_at: string
  updated_at: string
}
