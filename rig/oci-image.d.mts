// Generated from the JSDoc in the .mjs file by `node rig/gen-types.mjs`; do not edit.
/**
 * One 512-byte ustar header (POSIX.1-1988): fixed-width NUL-padded fields, octal numbers, and a
 * checksum computed with the checksum field read as eight spaces.
 * @param {string} name @param {number} size @param {number} mtime
 */
export function ustarHeader(name: string, size: number, mtime: number): Buffer<ArrayBuffer>
/** A tar archive with the given files (regular files only). @param {Record<string, string|Buffer>} files */
export function makeTar(files: Record<string, string | Buffer>): Buffer<ArrayBuffer>
/**
 * Writes an OCI image layout into a new temp folder (or `dir`).
 * @param {{ dir?: string, ref?: string, content?: string, labels?: Record<string, string> }} [options]
 * @returns {OciLayout}
 */
export function buildOciLayout(options?: {
  dir?: string
  ref?: string
  content?: string
  labels?: Record<string, string>
}): OciLayout
export type Descriptor = {
  digest: string
  size: number
}
export type OciLayout = {
  /**
   * the layout folder (use as oci:<dir>:<ref>)
   */
  dir: string
  /**
   * the ref.name in index.json
   */
  ref: string
  manifest: Descriptor
  config: Descriptor
  layer: Descriptor
}
