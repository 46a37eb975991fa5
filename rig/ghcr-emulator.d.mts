// Generated from the JSDoc in the .mjs file by `node rig/gen-types.mjs`; do not edit.
/**
 * @param {EmulatorDeps} deps
 * @returns {Promise<{ url: string, port: number, resetTokens: () => void, stop: () => Promise<void> }>}
 */
export function startGhcrEmulator(deps: EmulatorDeps): Promise<{
  url: string
  port: number
  resetTokens: () => void
  stop: () => Promise<void>
}>
export type LogEntry = {
  server: 'registry' | 'token' | 'api' | 'other-host' | 'log-storage'
  method: string
  /**
   * pathname only (no query)
   */
  path: string
  /**
   * 0 when no response was sent (hang, reset)
   */
  status: number
  /**
   * token name, 'anonymous', 'unknown' — never a secret
   */
  credential: string
  /**
   * token requests: the requested scope(s)
   */
  scope?: string | undefined
  /**
   * registry refusals: errors[0].message
   */
  message?: string | undefined
}
export type EmulatorDeps = {
  registry: import('./registry.mjs').RealRegistry
  getWorld: () => import('./world.mjs').World
  record: (entry: LogEntry) => void
  faults: import('./faults.mjs').FaultTable
  getLatency: () => number
  otherHostUrl: string
}
