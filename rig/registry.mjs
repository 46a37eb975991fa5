// The real registry peer: Debian's docker-registry (CNCF distribution 2.8) with token auth.
// It knows nothing about GitHub; the GHCR emulator decides who may do what and mints a registry
// JWT carrying exactly the granted actions (test-peers.md §1(b)).
import { spawn, execFileSync } from 'node:child_process'
import { createHash, createPrivateKey, randomBytes, sign, X509Certificate } from 'node:crypto'
import {
  existsSync,
  mkdtempSync,
  openSync,
  closeSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const REGISTRY_BIN = '/usr/bin/docker-registry'
const OPENSSL_BIN = '/usr/bin/openssl'
/** The `service`/`aud` and `iss` the real registry expects in every JWT. */
const SERVICE = 'rig-registry'
const ISSUER = 'rig-ghcr-emulator'

/**
 * @typedef {{ type: 'repository', name: string, actions: string[] }} AccessEntry
 * @typedef {object} RealRegistry
 * @property {string} url            base URL, e.g. http://127.0.0.1:41234
 * @property {number} port
 * @property {number} pid
 * @property {string} dir            temp dir holding config, keys, storage and the log
 * @property {string} storageDir
 * @property {boolean} relativeUrls
 * @property {(access: AccessEntry[], ttlSeconds?: number) => string} mintToken
 * @property {() => Promise<void>} stop
 */

/** @param {string} what @param {string} pkg */
function missing(what, pkg) {
  return new Error(
    `${what} is missing: install the Debian package ${pkg} (sudo apt-get install -y ${pkg}, or run bash scripts/setup.sh)`,
  )
}

/**
 * A free loopback TCP port (the OS picks it; a tiny race remains, handled by retrying).
 * @returns {Promise<number>}
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

/** @param {Buffer|string} data */
const b64url = (data) => Buffer.from(data).toString('base64url')

/**
 * libtrust key id of a public key, which distribution 2.8 accepts as the JWT `kid`
 * (test-peers.md §1(b)): SHA-256 of the DER SubjectPublicKeyInfo, first 240 bits, base32
 * without padding, 12 groups of 4 joined by ':'.
 * @param {Buffer} spkiDer
 */
export function libtrustKeyId(spkiDer) {
  const digest = createHash('sha256').update(spkiDer).digest().subarray(0, 30)
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = 0
  let value = 0
  let out = ''
  for (const byte of digest) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  return /** @type {string[]} */ (out.match(/.{4}/g)).join(':')
}

/**
 * @param {{ relativeUrls?: boolean, keepStorage?: boolean, bin?: string }} [options]
 *   bin: the registry binary (tests point it elsewhere to check the missing-package message)
 * @returns {Promise<RealRegistry>}
 */
export async function startRegistry(options = {}) {
  const bin = options.bin ?? REGISTRY_BIN
  if (!existsSync(bin)) throw missing(bin, 'docker-registry')
  if (!existsSync(OPENSSL_BIN)) throw missing(OPENSSL_BIN, 'openssl')
  const relativeUrls = options.relativeUrls ?? false
  const dir = mkdtempSync(join(tmpdir(), 'rig-registry-'))
  const keyFile = join(dir, 'token.key')
  const certFile = join(dir, 'token.crt')
  execFileSync(
    OPENSSL_BIN,
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=rig-token-issuer',
    ],
    { stdio: 'ignore', timeout: 10_000 },
  )
  const cert = new X509Certificate(readFileSync(certFile))
  const key = createPrivateKey(readFileSync(keyFile))
  const kid = libtrustKeyId(cert.publicKey.export({ type: 'spki', format: 'der' }))
  const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'ES256', kid }))

  /** @type {RealRegistry['mintToken']} */
  function mintToken(access, ttlSeconds = 300) {
    const now = Math.floor(Date.now() / 1000)
    // `aud` must be a plain string: distribution's claim struct field is a string (test-peers §1(b)).
    const claims = {
      iss: ISSUER,
      sub: 'rig',
      aud: SERVICE,
      exp: now + ttlSeconds,
      nbf: now - 10,
      iat: now,
      jti: randomBytes(8).toString('hex'),
      access,
    }
    const data = `${header}.${b64url(JSON.stringify(claims))}`
    // ES256 wants raw r||s, not DER (test-peers §1(b)).
    const sig = sign('sha256', Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' })
    return `${data}.${b64url(sig)}`
  }

  const storageDir = join(dir, 'storage')
  let lastError = /** @type {Error|undefined} */ (undefined)
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort()
    const configFile = join(dir, 'config.yml')
    writeFileSync(
      configFile,
      [
        'version: 0.1',
        'log: { level: warn, accesslog: { disabled: true } }',
        'storage:',
        `  filesystem: { rootdirectory: ${JSON.stringify(storageDir)} }`,
        '  delete: { enabled: true }',
        '  maintenance: { uploadpurging: { enabled: false } }',
        `http: { addr: "127.0.0.1:${port}", secret: "${randomBytes(16).toString('hex')}", relativeurls: ${relativeUrls} }`,
        'auth:',
        '  token:',
        // Clients never see this realm: the emulator answers challenges itself.
        `    realm: "http://127.0.0.1:${port}/unused-realm"`,
        `    service: ${SERVICE}`,
        `    issuer: ${ISSUER}`,
        `    rootcertbundle: ${JSON.stringify(certFile)}`,
        '',
      ].join('\n'),
    )
    const logFd = openSync(join(dir, 'registry.log'), 'a')
    const child = spawn(bin, ['serve', configFile], { stdio: ['ignore', logFd, logFd] })
    closeSync(logFd)
    const url = `http://127.0.0.1:${port}`
    let exited = false
    child.on('exit', () => (exited = true))
    const ready = await waitReady(url, () => exited)
    if (!ready) {
      if (child.pid && !exited) process.kill(child.pid, 'SIGKILL')
      lastError = new Error(
        `docker-registry did not become ready on ${url} (see ${dir}/registry.log)`,
      )
      continue
    }
    const pid = /** @type {number} */ (child.pid)
    const onExit = () => {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
    process.on('exit', onExit)
    let stopped = false
    return {
      url,
      port,
      pid,
      dir,
      storageDir,
      relativeUrls,
      mintToken,
      async stop() {
        if (stopped) return
        stopped = true
        process.off('exit', onExit)
        if (!exited) {
          const gone = new Promise((resolve) => child.once('exit', resolve))
          process.kill(pid, 'SIGTERM')
          const timer = setTimeout(() => !exited && process.kill(pid, 'SIGKILL'), 2000)
          await gone
          clearTimeout(timer)
        }
        if (!options.keepStorage) rmSync(dir, { recursive: true, force: true })
      },
    }
  }
  rmSync(dir, { recursive: true, force: true })
  throw lastError ?? new Error('docker-registry failed to start')
}

/**
 * Poll GET /v2/ until the registry answers (401 is fine: it means it is up).
 * @param {string} url @param {() => boolean} hasExited @param {number} [timeoutMs]
 */
async function waitReady(url, hasExited, timeoutMs = 5000) {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (hasExited()) return false
    try {
      const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(500) })
      await res.arrayBuffer()
      return true
    } catch {
      await new Promise((r) => setTimeout(r, 10))
    }
  }
  return false
}
