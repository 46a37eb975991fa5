// Generated from the JSDoc in the .mjs file by `node rig/gen-types.mjs`; do not edit.
/**
 * @typedef {import('./ghcr-emulator.mjs').LogEntry} LogEntry
 * @typedef {import('./faults.mjs').FaultTarget} FaultTarget
 * @typedef {import('./faults.mjs').FaultSpec} FaultSpec
 * @typedef {{ repository: string, github?: unknown, files?: Record<string, string> }} WorldInput
 * @typedef {object} Rig
 * @property {string} registryUrl       the GHCR emulator (what clients talk to)
 * @property {string} apiUrl            the GitHub REST emulator (GITHUB_API_URL)
 * @property {string} realRegistryUrl   the real registry (never give this to the action)
 * @property {string} otherHostUrl      the "other host" that faults redirect to
 * @property {import('./world.mjs').World} world   the current world (live; pushes add packages)
 * @property {LogEntry[]} log           every request since the last setWorld/clearLog
 * @property {(input: WorldInput) => { tokens: Record<string, string> }} setWorld
 * @property {() => void} clearLog
 * @property {(options: Omit<import('./skopeo.mjs').SkopeoPushOptions, 'registryUrl'> & { registryUrl?: string }) => Promise<import('./skopeo.mjs').SkopeoResult>} skopeoPush
 * @property {(ms: number) => void} setLatency
 * @property {(target: FaultTarget, fault: FaultSpec | null) => void} setFault
 * @property {() => Promise<void>} stop
 */
/**
 * @param {{ relativeUrls?: boolean, world?: WorldInput, serverUrl?: string, registryBin?: string }} [options]
 *   relativeUrls: the registry's http.relativeurls (both forms occur in the wild)
 *   serverUrl: GITHUB_SERVER_URL used in html_url fields (default https://github.com)
 * @returns {Promise<Rig>}
 */
export function startRig(options?: {
  relativeUrls?: boolean
  world?: WorldInput
  serverUrl?: string
  registryBin?: string
}): Promise<Rig>
export { FAULTS } from './faults.mjs'
export { skopeoPush } from './skopeo.mjs'
export type LogEntry = import('./ghcr-emulator.mjs').LogEntry
export type FaultTarget = import('./faults.mjs').FaultTarget
export type FaultSpec = import('./faults.mjs').FaultSpec
export type WorldInput = {
  repository: string
  github?: unknown
  files?: Record<string, string>
}
export type Rig = {
  /**
   * the GHCR emulator (what clients talk to)
   */
  registryUrl: string
  /**
   * the GitHub REST emulator (GITHUB_API_URL)
   */
  apiUrl: string
  /**
   * the real registry (never give this to the action)
   */
  realRegistryUrl: string
  /**
   * the "other host" that faults redirect to
   */
  otherHostUrl: string
  /**
   * the current world (live; pushes add packages)
   */
  world: import('./world.mjs').World
  /**
   * every request since the last setWorld/clearLog
   */
  log: LogEntry[]
  setWorld: (input: WorldInput) => {
    tokens: Record<string, string>
  }
  clearLog: () => void
  skopeoPush: (
    options: Omit<import('./skopeo.mjs').SkopeoPushOptions, 'registryUrl'> & {
      registryUrl?: string
    },
  ) => Promise<import('./skopeo.mjs').SkopeoResult>
  setLatency: (ms: number) => void
  setFault: (target: FaultTarget, fault: FaultSpec | null) => void
  stop: () => Promise<void>
}
export { buildOciLayout, makeTar, ustarHeader } from './oci-image.mjs'
export { MSG, authorize, buildWorld, makeTokenValue } from './world.mjs'
export { libtrustKeyId, startRegistry } from './registry.mjs'
