// Starts the real Debian docker-registry (distribution 2.8) on a free loopback port, for tests
// that must meet real registry behaviour (research test-peers.md §1):
//   - 'token' auth: an in-process token server signs ES256 JWTs whose header carries the
//     libtrust key id ('kid') of a certificate made with openssl; `aud` is a plain string.
//     Users: pusher/pushpass → pull,push; reader/readpass → pull; admin/adminpass → pull,push,delete.
//   - 'htpasswd' auth: bcrypt lines made with python3's crypt (htpasswd from apache2-utils is
//     not installed here). Users: pusher/pushpass, reader/readpass (both may push: htpasswd has no roles).
// Everything lives in a temporary folder removed by stop(); the registry is stopped by its PID.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { createHash, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const REGISTRY_BINARY = '/usr/bin/docker-registry'

const USERS: Record<string, { password: string; actions: string[] }> = {
  pusher: { password: 'pushpass', actions: ['pull', 'push'] },
  reader: { password: 'readpass', actions: ['pull'] },
  admin: { password: 'adminpass', actions: ['pull', 'push', 'delete'] },
}

export interface RealRegistry {
  /** e.g. http://127.0.0.1:40123 */
  url: string
  /** The token server's URL (token auth only). */
  tokenUrl?: string
  /** Storage root, to check what the probe left behind. */
  storage: string
  /** Requests the token server received (token auth only). */
  tokenRequests: { scope: string; user?: string }[]
  stop(): Promise<void>
}

export interface RealRegistryOptions {
  auth: 'token' | 'htpasswd'
  /** http.relativeurls: answer with a relative Location. */
  relativeUrls?: boolean
}

export async function startRealRegistry(options: RealRegistryOptions): Promise<RealRegistry> {
  if (!existsSync(REGISTRY_BINARY)) {
    throw new Error(
      `${REGISTRY_BINARY} not found: install the Debian package "docker-registry" (apt-get install docker-registry); these tests need the real registry and are never skipped`,
    )
  }
  const dir = mkdtempSync(join(tmpdir(), 'ghcr-preflight-registry-'))
  const storage = join(dir, 'data')
  const tokenRequests: RealRegistry['tokenRequests'] = []
  let tokenServer: Server | undefined
  let child: ChildProcess | undefined
  const cleanup = async (): Promise<void> => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve))
      child.kill('SIGTERM')
      await Promise.race([exited, delay(3000)])
    }
    if (tokenServer) await new Promise((resolve) => tokenServer?.close(resolve))
    rmSync(dir, { recursive: true, force: true })
  }

  try {
    const port = await freePort()
    const lines = [
      'version: 0.1',
      'log: { level: warn }',
      `storage: { filesystem: { rootdirectory: ${storage} }, delete: { enabled: true } }`,
      `http: { addr: 127.0.0.1:${port}, secret: test-only-http-secret${options.relativeUrls ? ', relativeurls: true' : ''} }`,
    ]
    let tokenUrl: string | undefined
    if (options.auth === 'token') {
      const { key, certPath, kid } = makeSigningCert(dir)
      tokenServer = await startTokenServer(key, kid, tokenRequests)
      tokenUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}`
      lines.push(
        'auth:',
        '  token:',
        `    realm: ${tokenUrl}/token`,
        '    service: test-registry',
        '    issuer: test-issuer',
        `    rootcertbundle: ${certPath}`,
      )
    } else {
      const htpasswd = join(dir, 'htpasswd')
      writeFileSync(
        htpasswd,
        ['pusher', 'reader'].map((u) => `${u}:${bcrypt(USERS[u].password)}\n`).join(''),
      )
      lines.push('auth:', '  htpasswd:', '    realm: basic-realm', `    path: ${htpasswd}`)
    }
    const config = join(dir, 'config.yml')
    writeFileSync(config, `${lines.join('\n')}\n`)

    let stderr = ''
    child = spawn(REGISTRY_BINARY, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] })
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000)
    })
    const url = `http://127.0.0.1:${port}`
    await waitReady(url, child, () => stderr)
    return { url, tokenUrl, storage, tokenRequests, stop: cleanup }
  } catch (err) {
    await cleanup()
    throw err
  }
}

async function waitReady(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const until = Date.now() + 10_000
  while (Date.now() < until) {
    if (child.exitCode !== null) {
      throw new Error(`docker-registry exited with ${child.exitCode}: ${stderr()}`)
    }
    try {
      const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(500) })
      if (res.status === 401) return
    } catch {
      // not listening yet
    }
    await delay(25)
  }
  throw new Error(`docker-registry did not answer on ${url} within 10 s: ${stderr()}`)
}

function makeSigningCert(dir: string): { key: KeyObject; certPath: string; kid: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const keyPath = join(dir, 'token.key')
  const certPath = join(dir, 'token.crt')
  writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }))
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-key',
        keyPath,
        '-out',
        certPath,
        '-days',
        '2',
        '-subj',
        '/CN=test-token-issuer',
      ],
      { stdio: 'pipe' },
    )
  } catch (err) {
    throw new Error(
      `openssl could not make the token certificate (Debian package "openssl"): ${(err as Error).message}`,
    )
  }
  return { key: privateKey, certPath, kid: libtrustKeyId(publicKey) }
}

/** libtrust key id: SHA-256 of the DER SPKI, first 30 bytes, base32 without padding, 4-char groups. */
export function libtrustKeyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' })
  const bytes = createHash('sha256').update(der).digest().subarray(0, 30)
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = ''
  for (const b of bytes) bits += b.toString(2).padStart(8, '0')
  let b32 = ''
  for (let i = 0; i + 5 <= bits.length; i += 5) b32 += alphabet[parseInt(bits.slice(i, i + 5), 2)]
  return (b32.match(/.{4}/g) ?? []).join(':')
}

async function startTokenServer(
  key: KeyObject,
  kid: string,
  log: RealRegistry['tokenRequests'],
): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://token')
    const scope = url.searchParams.get('scope') ?? ''
    const auth = req.headers.authorization ?? ''
    let user: string | undefined
    if (auth.startsWith('Basic ')) {
      const [name, ...rest] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':')
      if (USERS[name]?.password !== rest.join(':')) {
        log.push({ scope, user: name })
        res.writeHead(401, { 'content-type': 'application/json' })
        res.end('{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}')
        return
      }
      user = name
    }
    log.push({ scope, user })
    const access = url.searchParams
      .getAll('scope')
      .map((s) => /^repository:([^:]+):(.+)$/.exec(s))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({
        type: 'repository',
        name: m[1],
        actions: m[2]
          .split(',')
          .filter((a) => user !== undefined && USERS[user].actions.includes(a)),
      }))
    const now = Math.floor(Date.now() / 1000)
    const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url')
    const signingInput = `${b64({ typ: 'JWT', alg: 'ES256', kid })}.${b64({
      iss: 'test-issuer',
      sub: user ?? '',
      aud: 'test-registry', // distribution 2.8 wants a plain string here
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    })}`
    const signature = sign('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' })
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ token: `${signingInput}.${signature.toString('base64url')}` }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return server
}

function bcrypt(password: string): string {
  try {
    return execFileSync(
      'python3',
      [
        '-W',
        'ignore',
        '-c',
        'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))',
        password,
      ],
      { encoding: 'utf8' },
    ).trim()
  } catch (err) {
    throw new Error(
      `could not make a bcrypt htpasswd line with python3's crypt (Debian package "python3"; or install "apache2-utils" for htpasswd -B): ${(err as Error).message}`,
    )
  }
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

function delay(ms: number): Promise<void> {
  // unref: a pending grace timer must not keep the test process alive.
  return new Promise((resolve) => setTimeout(resolve, ms).unref())
}
