// The runner's file commands (GITHUB_OUTPUT, GITHUB_STATE, GITHUB_ENV), byte for byte what
// @actions/core's lib/file-command.js writes, with one difference: where the heredoc delimiter's
// randomness comes from. core takes it from node:crypto's randomUUID, and loading node:crypto
// costs about 4.5 ms of every start on Node 24 (a sixth of a bare `node -e 0`). Here the same
// random version-4 UUID is made from 16 bytes of the system's random source (/dev/urandom, the
// source node:crypto draws from too), and node:crypto is loaded only where there is none
// (Windows). __tests__/runner/core.test.ts compares the bytes with core's own functions.

import { closeSync, existsSync, appendFileSync, openSync, readSync } from 'node:fs'
import { EOL } from 'node:os'
import { toCommandValue } from '../../node_modules/@actions/core/lib/utils.js'

export function issueFileCommand(command: string, message: unknown): void {
  const filePath = process.env[`GITHUB_${command}`]
  if (!filePath) {
    throw new Error(`Unable to find environment variable for file command ${command}`)
  }
  if (!existsSync(filePath)) {
    throw new Error(`Missing file at path: ${filePath}`)
  }
  appendFileSync(filePath, `${toCommandValue(message)}${EOL}`, { encoding: 'utf8' })
}

/** `key<<DELIMITER`, the value, `DELIMITER`; the delimiter may appear in neither. */
export function prepareKeyValueMessage(key: string, value: unknown, uuid = randomUuid()): string {
  const delimiter = `ghadelimiter_${uuid}`
  const convertedValue = toCommandValue(value)
  if (key.includes(delimiter)) {
    throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`)
  }
  if (convertedValue.includes(delimiter)) {
    throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`)
  }
  return `${key}<<${delimiter}${EOL}${convertedValue}${EOL}${delimiter}`
}

/** A random (version 4) UUID, as crypto.randomUUID() makes it. */
export function randomUuid(bytes: Uint8Array = randomBytes16()): string {
  const b = Buffer.from(bytes)
  b[6] = (b[6]! & 0x0f) | 0x40
  b[8] = (b[8]! & 0x3f) | 0x80
  const hex = b.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`
}

function randomBytes16(): Uint8Array {
  const bytes = Buffer.alloc(16)
  if (process.platform !== 'win32') {
    try {
      const fd = openSync('/dev/urandom', 'r')
      try {
        if (readSync(fd, bytes, 0, 16, null) === 16) return bytes
      } finally {
        closeSync(fd)
      }
    } catch {
      // No /dev/urandom (a sandbox): node:crypto below.
    }
  }
  const crypto = process.getBuiltinModule('node:crypto')
  return crypto.randomBytes(16)
}
