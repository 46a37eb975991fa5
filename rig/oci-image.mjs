// A tiny OCI image layout built in pure node (no docker, no tar binary), for skopeo to push.
// One layer: a ustar archive holding one small file, gzipped.
import { createHash } from 'node:crypto'
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

/**
 * @typedef {{ digest: string, size: number }} Descriptor
 * @typedef {object} OciLayout
 * @property {string} dir       the layout folder (use as oci:<dir>:<ref>)
 * @property {string} ref       the ref.name in index.json
 * @property {Descriptor} manifest
 * @property {Descriptor} config
 * @property {Descriptor} layer
 */

const sha256 = (/** @type {Buffer} */ b) => `sha256:${createHash('sha256').update(b).digest('hex')}`

/**
 * One 512-byte ustar header (POSIX.1-1988): fixed-width NUL-padded fields, octal numbers, and a
 * checksum computed with the checksum field read as eight spaces.
 * @param {string} name @param {number} size @param {number} mtime
 */
export function ustarHeader(name, size, mtime) {
  const h = Buffer.alloc(512)
  /** @param {string} s @param {number} off @param {number} len */
  const put = (s, off, len) => h.write(s, off, Math.min(len, Buffer.byteLength(s)), 'ascii')
  /** @param {number} n @param {number} off @param {number} len */
  const octal = (n, off, len) => put(n.toString(8).padStart(len - 1, '0') + '\0', off, len)
  if (Buffer.byteLength(name) > 100) throw new Error('ustar: name longer than 100 bytes')
  put(name, 0, 100)
  octal(0o644, 100, 8) // mode
  octal(0, 108, 8) // uid
  octal(0, 116, 8) // gid
  octal(size, 124, 12)
  octal(mtime, 136, 12)
  h.fill(0x20, 148, 156) // checksum placeholder: spaces
  put('0', 156, 1) // typeflag: regular file
  put('ustar\0', 257, 6)
  put('00', 263, 2)
  put('root', 265, 32)
  put('root', 297, 32)
  let sum = 0
  for (const byte of h) sum += byte
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8)
  return h
}

/** A tar archive with the given files (regular files only). @param {Record<string, string|Buffer>} files */
export function makeTar(files) {
  const parts = []
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.from(content)
    parts.push(ustarHeader(name, data.length, 1_700_000_000), data)
    const pad = (512 - (data.length % 512)) % 512
    if (pad) parts.push(Buffer.alloc(pad))
  }
  parts.push(Buffer.alloc(1024)) // end of archive: two zero blocks
  return Buffer.concat(parts)
}

/**
 * Writes an OCI image layout into a new temp folder (or `dir`).
 * @param {{ dir?: string, ref?: string, content?: string, labels?: Record<string, string> }} [options]
 * @returns {OciLayout}
 */
export function buildOciLayout(options = {}) {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'rig-oci-'))
  mkdirSync(dir, { recursive: true })
  // Readable by the unprivileged user skopeo runs as (see skopeo.mjs).
  chmodSync(dir, 0o755)
  const ref = options.ref ?? 'latest'
  const blobs = join(dir, 'blobs', 'sha256')
  mkdirSync(blobs, { recursive: true, mode: 0o755 })
  /** @param {Buffer} data @returns {Descriptor} */
  const blob = (data) => {
    const digest = sha256(data)
    writeFileSync(join(blobs, digest.slice(7)), data, { mode: 0o644 })
    return { digest, size: data.length }
  }

  const tar = makeTar({
    'hello.txt': options.content ?? 'hello from the ghcr-preflight test rig\n',
  })
  const layer = blob(gzipSync(tar))
  const config = blob(
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        created: '2024-01-01T00:00:00Z',
        config: { Labels: options.labels ?? {} },
        rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
        history: [{ created: '2024-01-01T00:00:00Z', created_by: 'ghcr-preflight rig' }],
      }),
    ),
  )
  const manifest = blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
      }),
    ),
  )
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }), {
    mode: 0o644,
  })
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          annotations: { 'org.opencontainers.image.ref.name': ref },
        },
      ],
    }),
    { mode: 0o644 },
  )
  return { dir, ref, manifest, config, layer }
}
