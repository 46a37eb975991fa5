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
