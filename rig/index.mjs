// The test rig: one real registry (Debian docker-registry) behind a ghcr.io emulator, a GitHub
// REST emulator answering from the same world, and skopeo as a real client. Start it once and
// call setWorld per scenario: nothing restarts between scenarios.
import { FaultTable } from './faults.mjs'
import { startGhcrEmulator } from './ghcr-emulator.mjs'
import { startGithubApiEmulator } from './github-api-emulator.mjs'
import { startOtherHost } from './other-host.mjs'
import { startRegistry } from './registry.mjs'
import { skopeoPush } from './skopeo.mjs'
import { buildWorld } from './world.mjs'

export { buildOciLayout, makeTar, ustarHeader } from './oci-image.mjs'
export { FAULTS } from './faults.mjs'
export { MSG, authorize, buildWorld, makeTokenValue } from './world.mjs'
export { libtrustKeyId, startRegistry } from './registry.mjs'
export { skopeoPush } from './skopeo.mjs'

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
export async function startRig(options = {}) {
  /** @type {LogEntry[]} */
  const log = []
  const record = (/** @type {LogEntry} */ e) => void log.push(e)
  const faults = new FaultTable()
  let latencyMs = 0
  let world = buildWorld(options.world ?? { repository: 'octo/app' })
  const getWorld = () => world
  const getLatency = () => latencyMs

  // The registry first: it is the part that can be missing, and then nothing else is left running.
  const registry = await startRegistry({
    relativeUrls: options.relativeUrls,
    bin: options.registryBin,
  })
  /** @type {Awaited<ReturnType<typeof startOtherHost>>} */
  let other
  /** @type {Awaited<ReturnType<typeof startGhcrEmulator>>} */
  let ghcr
  /** @type {Awaited<ReturnType<typeof startGithubApiEmulator>>} */
  let api
  try {
    other = await startOtherHost(record)
    const deps = { getWorld, record, faults, getLatency, otherHostUrl: other.url }
    ;[ghcr, api] = await Promise.all([
      startGhcrEmulator({ ...deps, registry }),
      startGithubApiEmulator({ ...deps, serverUrl: options.serverUrl }),
    ])
  } catch (err) {
    await registry.stop()
    throw err
  }

  let stopped = false
  return {
    registryUrl: ghcr.url,
    apiUrl: api.url,
    realRegistryUrl: registry.url,
    otherHostUrl: other.url,
    get world() {
      return world
    },
    log,
    setWorld(input) {
      world = buildWorld(input)
      ghcr.resetTokens()
      faults.clear()
      latencyMs = 0
      log.length = 0
      return {
        tokens: Object.fromEntries(Object.values(world.tokens).map((t) => [t.name, t.value])),
      }
    },
    clearLog() {
      log.length = 0
    },
    skopeoPush: (o) => skopeoPush({ registryUrl: ghcr.url, ...o }),
    setLatency(ms) {
      latencyMs = Math.max(0, Number(ms) || 0)
    },
    setFault(target, fault) {
      faults.set(target, fault)
    },
    async stop() {
      if (stopped) return
      stopped = true
      await Promise.all([ghcr.stop(), api.stop(), other.stop()])
      await registry.stop()
    },
  }
}
