// Generated from the JSDoc in the .mjs file by `node rig/gen-types.mjs`; do not edit.
/**
 * Runs `skopeo copy oci:<layout>:<ref> docker://<host>/<image>:<tag>` with credentials in a
 * 0600 auth file (not argv, so they never show in the process list) and HOME/XDG in a temp dir.
 * @param {SkopeoPushOptions} options
 * @returns {Promise<SkopeoResult>}
 */
export function skopeoPush(options: SkopeoPushOptions): Promise<SkopeoResult>
export const SKOPEO_BIN: '/usr/bin/skopeo'
export type SkopeoPushOptions = {
  /**
   * e.g. http://127.0.0.1:41234 (the emulator)
   */
  registryUrl: string
  /**
   * repository path, e.g. acme/app
   */
  image: string
  /**
   * default 'latest'
   */
  tag?: string | undefined
  username: string
  password: string
  /**
   * default 30000
   */
  timeoutMs?: number | undefined
  /**
   * default: a tiny image built for this call
   */
  layout?: import('./oci-image.mjs').OciLayout | undefined
  /**
   * the skopeo binary (default /usr/bin/skopeo)
   */
  bin?: string | undefined
}
export type SkopeoResult = {
  ok: boolean
  exitCode: number | null
  stderr: string
  timedOut: boolean
}
