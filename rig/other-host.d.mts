// Generated from the JSDoc in the .mjs file by `node rig/gen-types.mjs`; do not edit.
/**
 * @param {(entry: import('./ghcr-emulator.mjs').LogEntry) => void} record
 * @returns {Promise<{ url: string, stop: () => Promise<void> }>}
 */
export function startOtherHost(
  record: (entry: import('./ghcr-emulator.mjs').LogEntry) => void,
): Promise<{
  url: string
  stop: () => Promise<void>
}>
/**
 * Listens on a loopback address other than 127.0.0.1, so that it is another host to a client:
 * any 127/8 address is loopback on Linux; ::1 where 127.0.0.2 is not routable.
 * @param {import('node:http').Server} server
 * @returns {Promise<{ url: string, stop: () => Promise<void> }>}
 */
export function listenOnOtherLoopback(server: import('node:http').Server): Promise<{
  url: string
  stop: () => Promise<void>
}>
