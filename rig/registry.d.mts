// Generated from the JSDoc in the .mjs file by `node rig/gen-types.mjs`; do not edit.
/**
 * A free loopback TCP port (the OS picks it; a tiny race remains, handled by retrying).
 * @returns {Promise<number>}
 */
export function freePort(): Promise<number>
/**
 * libtrust key id of a public key, which distribution 2.8 accepts as the JWT `kid`
 * (test-peers.md §1(b)): SHA-256 of the DER SubjectPublicKeyInfo, first 240 bits, base32
 * without padding, 12 groups of 4 joined by ':'.
 * @param {Buffer} spkiDer
 */
export function libtrustKeyId(spkiDer: Buffer): string
/**
 * @param {{ relativeUrls?: boolean, keepStorage?: boolean, bin?: string }} [options]
 *   bin: the registry binary (tests point it elsewhere to check the missing-package message)
 * @returns {Promise<RealRegistry>}
 */
export function startRegistry(options?: {
  relativeUrls?: boolean
  keepStorage?: boolean
  bin?: string
}): Promise<RealRegistry>
export const REGISTRY_BIN: '/usr/bin/docker-registry'
export type AccessEntry = {
  type: 'repository'
  name: string
  actions: string[]
}
export type RealRegistry = {
  /**
   * base URL, e.g. http://127.0.0.1:41234
   */
  url: string
  port: number
  pid: number
  /**
   * temp dir holding config, keys, storage and the log
   */
  dir: string
  storageDir: string
  relativeUrls: boolean
  mintToken: (access: AccessEntry[], ttlSeconds?: number) => string
  stop: () => Promise<void>
}
