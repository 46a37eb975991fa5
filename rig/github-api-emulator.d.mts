// Generated from the JSDoc in the .mjs file by `node rig/gen-types.mjs`; do not edit.
/**
 * @param {{
 *   getWorld: () => import('./world.mjs').World,
 *   record: (entry: import('./ghcr-emulator.mjs').LogEntry) => void,
 *   faults: import('./faults.mjs').FaultTable,
 *   getLatency: () => number,
 *   otherHostUrl: string,
 *   serverUrl?: string,
 * }} deps
 * @returns {Promise<{ url: string, port: number, stop: () => Promise<void> }>}
 */
export function startGithubApiEmulator(deps: {
  getWorld: () => import('./world.mjs').World
  record: (entry: import('./ghcr-emulator.mjs').LogEntry) => void
  faults: import('./faults.mjs').FaultTable
  getLatency: () => number
  otherHostUrl: string
  serverUrl?: string
}): Promise<{
  url: string
  port: number
  stop: () => Promise<void>
}>
