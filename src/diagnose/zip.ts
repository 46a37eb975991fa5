// A small, bounded reader for the run log archive GitHub serves (.zip): the central directory,
// stored and deflated entries, with limits on entry count, per-entry and total size, so a zip
// bomb or a corrupt file ends in a clear message, never in exhausted memory. Node's zlib only.

import { crc32, inflateRawSync } from 'node:zlib'

export interface ZipEntry {
  name: string
  data: Buffer
}

export interface ZipLimits {
  maxEntries: number
  /** Uncompressed bytes of one entry. */
  maxEntryBytes: number
  /** Uncompressed bytes of all entries read. */
  maxTotalBytes: number
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 2000,
  maxEntryBytes: 64 * 1024 * 1024,
  maxTotalBytes: 128 * 1024 * 1024,
}

export class ZipError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ZipError'
  }
}

const EOCD = 0x06054b50
const CENTRAL = 0x02014b50
const LOCAL = 0x04034b50
const EOCD_MIN = 22
const MAX_COMMENT = 0xffff

export function isZip(buf: Buffer): boolean {
  return buf.length >= 4 && buf.readUInt32LE(0) === LOCAL
}

/**
 * Every file entry (directories skipped) whose name `wanted` accepts, decompressed. Throws
 * ZipError with a one-line reason for anything it cannot read safely.
 */
export function readZip(
  buf: Buffer,
  wanted: (name: string) => boolean = () => true,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
): ZipEntry[] {
  const end = findEndOfCentralDirectory(buf)
  const count = buf.readUInt16LE(end + 10)
  const size = buf.readUInt32LE(end + 12)
  const offset = buf.readUInt32LE(end + 16)
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    throw new ZipError('ZIP64 archives are not supported (a job log archive is never that large)')
  }
  if (count > limits.maxEntries) {
    throw new ZipError(`the archive lists ${count} files, more than the ${limits.maxEntries} read`)
  }
  if (offset + size > end) throw new ZipError('the archive is corrupt (central directory)')

  const entries: ZipEntry[] = []
  let total = 0
  let p = offset
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL) {
      throw new ZipError('the archive is corrupt (central directory entry)')
    }
    const flags = buf.readUInt16LE(p + 8)
    const method = buf.readUInt16LE(p + 10)
    const crc = buf.readUInt32LE(p + 16)
    const compressed = buf.readUInt32LE(p + 20)
    const uncompressed = buf.readUInt32LE(p + 24)
    const nameLength = buf.readUInt16LE(p + 28)
    const extraLength = buf.readUInt16LE(p + 30)
    const commentLength = buf.readUInt16LE(p + 32)
    const local = buf.readUInt32LE(p + 42)
    const name = buf.toString('utf8', p + 46, p + 46 + nameLength)
    p += 46 + nameLength + extraLength + commentLength
    if (name.endsWith('/') || !wanted(name)) continue
    if (flags & 1) throw new ZipError(`${name} is encrypted`)
    if (uncompressed > limits.maxEntryBytes) {
      throw new ZipError(`${name} is ${uncompressed} bytes, over the ${limits.maxEntryBytes} read`)
    }
    if (total + uncompressed > limits.maxTotalBytes) {
      throw new ZipError(`the archive holds more than ${limits.maxTotalBytes} bytes of logs`)
    }
    const data = entryData(buf, local, method, compressed, uncompressed, name)
    if (data.length !== uncompressed || crc32(data) !== crc) {
      throw new ZipError(`${name} is corrupt (size or checksum does not match)`)
    }
    total += data.length
    entries.push({ name, data })
  }
  return entries
}

function findEndOfCentralDirectory(buf: Buffer): number {
  if (buf.length < EOCD_MIN) throw new ZipError('the file is too short to be a zip archive')
  const stop = Math.max(0, buf.length - EOCD_MIN - MAX_COMMENT)
  for (let i = buf.length - EOCD_MIN; i >= stop; i--) {
    if (buf.readUInt32LE(i) === EOCD) return i
  }
  throw new ZipError('the archive has no central directory (truncated download?)')
}

function entryData(
  buf: Buffer,
  local: number,
  method: number,
  compressed: number,
  uncompressed: number,
  name: string,
): Buffer {
  if (local + 30 > buf.length || buf.readUInt32LE(local) !== LOCAL) {
    throw new ZipError(`${name}: the archive is corrupt (local header)`)
  }
  const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28)
  if (start + compressed > buf.length) throw new ZipError(`${name} is truncated`)
  const raw = buf.subarray(start, start + compressed)
  if (method === 0) return raw
  if (method !== 8) throw new ZipError(`${name} uses compression method ${method}`)
  try {
    // maxOutputLength stops a bomb at the declared size (+1 byte to notice a lie) before it grows.
    return inflateRawSync(raw, { maxOutputLength: uncompressed + 1 })
  } catch {
    throw new ZipError(`${name} does not decompress to its declared size (corrupt or a zip bomb)`)
  }
}
