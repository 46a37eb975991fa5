// ghcr.io's front door, emulated: the challenge, the token endpoint and GitHub's package
// authorisation (the part that cannot run here), in front of a real registry that stores the
// bytes. Allowed requests are forwarded with a freshly minted registry JWT carrying exactly the
// granted actions. Sections cited as §N are in /work/shared/research/ghcr-failure-modes.md.
import { Agent, createServer, request as httpRequest } from 'node:http'
import { randomBytes } from 'node:crypto'
import {
  MSG,
  authorize,
  callerForSecret,
  callerLabel,
  findPackage,
  recordPush,
  scriptedAnswer,
} from './world.mjs'
import { splitRepoPath } from './world.mjs'
import { recordVersion } from './github-runs.mjs'

/**
 * @typedef {object} LogEntry
 * @property {'registry'|'token'|'api'|'other-host'|'log-storage'} server
 * @property {string} method
 * @property {string} path           pathname only (no query)
 * @property {number} status         0 when no response was sent (hang, reset)
 * @property {string} credential     token name, 'anonymous', 'unknown' — never a secret
 * @property {string} [scope]        token requests: the requested scope(s)
 * @property {string} [message]      registry refusals: errors[0].message
 * @typedef {object} EmulatorDeps
 * @property {import('./registry.mjs').RealRegistry} registry
 * @property {() => import('./world.mjs').World} getWorld
 * @property {(entry: LogEntry) => void} record
 * @property {import('./faults.mjs').FaultTable} faults
 * @property {() => number} getLatency
 * @property {string} otherHostUrl
 */

const SERVICE = 'ghcr.io'
const DIST_HEADERS = {
  'content-type': 'application/json',
  'docker-distribution-api-version': 'registry/2.0',
}
const HOP_BY_HOP = new Set([
  'host',
  'authorization',
  'connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
])

/** @param {string} code @param {string} message */
const errors = (code, message) => JSON.stringify({ errors: [{ code, message }] })
/**
 * A scripted (real) answer's body: only the fields the report shows; none → an empty body.
 * @param {import('./world.mjs').ScriptedAnswer} a
 */
const scriptedBody = (a) =>
  a.code === undefined && a.message === undefined
    ? ''
    : JSON.stringify({
        errors: [
          { ...(a.code ? { code: a.code } : {}), ...(a.message ? { message: a.message } : {}) },
        ],
      })
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms))

/**
 * @param {EmulatorDeps} deps
 * @returns {Promise<{ url: string, port: number, resetTokens: () => void, stop: () => Promise<void> }>}
 */
export async function startGhcrEmulator(deps) {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 })
  /** Opaque registry tokens we issued → the credential behind them (null = anonymous). */
  const issued = /** @type {Map<string, { secret: string | null }>} */ (new Map())
  let base = ''

  /** @param {import('node:http').IncomingMessage} req @returns {import('./world.mjs').Caller} */
  function callerOf(req) {
    const world = deps.getWorld()
    const auth = req.headers.authorization ?? ''
    const [scheme, value = ''] = auth.split(/\s+/, 2)
    if (!auth) return { type: 'anonymous' }
    if (/^basic$/i.test(scheme)) {
      // ghcr accepts Basic credentials directly on registry requests (brief; §2.2).
      const decoded = Buffer.from(value, 'base64').toString('utf8')
      return callerForSecret(world, decoded.slice(decoded.indexOf(':') + 1))
    }
    if (!/^bearer$/i.test(scheme)) return { type: 'unknown' }
    const known = issued.get(value)
    if (known)
      return known.secret === null ? { type: 'anonymous' } : callerForSecret(world, known.secret)
    // ghcr also takes the PAT itself, or base64 of it / of user:PAT, as a bearer (§2.2).
    const direct = callerForSecret(world, value)
    if (direct.type === 'token') return direct
    const decoded = Buffer.from(value, 'base64').toString('utf8')
    return callerForSecret(world, decoded.slice(decoded.indexOf(':') + 1))
  }

  /**
   * @param {import('node:http').ServerResponse} res @param {number} status @param {string} body
   * @param {Record<string, string>} [extra]
   */
  function send(res, status, body, extra = {}) {
    // Drain any request body we are not going to read, so keep-alive connections stay usable.
    res.req?.resume()
    res.writeHead(status, {
      ...DIST_HEADERS,
      'content-length': String(Buffer.byteLength(body)),
      ...extra,
    })
    res.end(body)
  }

  /** @param {string} realm @param {string} scope */
  const challenge = (realm, scope) =>
    `Bearer realm="${realm}",service="${SERVICE}",scope="${scope}"`

  /**
   * GET /token (§2.2): anonymous pull of a public package → token; anonymous pull of anything
   * else → 401; anonymous push → 403. With credentials: 403 DENIED "denied" for an unknown,
   * expired or revoked one (strict, the default: what ghcr.io does for a revoked classic PAT,
   * https://github.com/jikig-ai/soleur/issues/8036), else a token whatever the credential may do
   * (§2.2); `lenient` hands a token to any credential (what hive-mind measured, §8).
   * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res
   * @param {URL} url @param {LogEntry} entry
   */
  function handleToken(req, res, url, entry) {
    const world = deps.getWorld()
    const scopes = url.searchParams
      .getAll('scope')
      .flatMap((s) => s.split(' '))
      .filter(Boolean)
    entry.scope = scopes.join(' ')
    const auth = req.headers.authorization ?? ''
    /** @type {string | null} */
    let secret = null
    if (/^basic\s/i.test(auth)) {
      const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8')
      secret = decoded.slice(decoded.indexOf(':') + 1)
      const caller = callerForSecret(world, secret)
      entry.credential = callerLabel(caller)
      const scripted = scriptedAnswer(world, caller, 'token')
      if (scripted) {
        entry.message = scripted.message
        return send(res, scripted.status, scriptedBody(scripted))
      }
      const bad = caller.type !== 'token' || caller.token.expired || caller.token.revoked
      if (bad && world.token_endpoint === 'strict') {
        // The `denied: denied` seen at login with an expired PAT (§1.7).
        return send(res, 403, errors('DENIED', MSG.tokenDenied))
      }
    } else {
      for (const scope of scopes) {
        const m = /^repository:(.+):([a-z,*]+)$/.exec(scope)
        if (!m) continue
        const actions = m[2].split(',')
        if (actions.some((a) => a !== 'pull')) {
          return send(res, 403, errors('DENIED', 'requested access to the resource is denied'))
        }
        const { owner, name } = splitRepoPath(m[1])
        if (findPackage(world, owner, name)?.visibility !== 'public') {
          return send(res, 401, errors('UNAUTHORIZED', 'authentication required'))
        }
      }
    }
    // Opaque, not a JWT (§2.2); it carries no secret, only an id we map back.
    const token = Buffer.from(`v1:rig:${randomBytes(12).toString('hex')}`).toString('base64')
    issued.set(token, { secret })
    send(res, 200, JSON.stringify({ token }))
  }

  /**
   * Forwards to the real registry with a JWT for exactly `access`; streams both bodies.
   * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res
   * @param {import('./registry.mjs').AccessEntry[]} access
   * @param {(status: number, headers: import('node:http').IncomingHttpHeaders) => void} [onResponse]
   */
  function forward(req, res, access, onResponse) {
    /** @type {Record<string, string | string[]>} */
    const headers = {}
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v
    }
    headers.authorization = `Bearer ${deps.registry.mintToken(access)}`
    const upstream = httpRequest(
      `${deps.registry.url}${req.url}`,
      { method: req.method, headers, agent },
      (up) => {
        const out = { ...up.headers }
        delete out.connection
        delete out['keep-alive']
        const loc = up.headers.location
        // Keep clients on the emulator when the registry answers with absolute URLs.
        if (loc && loc.startsWith(deps.registry.url))
          out.location = base + loc.slice(deps.registry.url.length)
        res.writeHead(up.statusCode ?? 502, out)
        up.pipe(res)
        onResponse?.(up.statusCode ?? 0, up.headers)
      },
    )
    upstream.on('error', () => {
      if (!res.headersSent) send(res, 502, errors('UNAVAILABLE', 'upstream registry unreachable'))
      else res.destroy()
    })
    req.pipe(upstream)
  }

  /**
   * /v2/…: ghcr's challenge and authorisation, then the real registry.
   * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res
   * @param {URL} url @param {LogEntry} entry @param {{ realm?: string }} overrides
   */
  function handleRegistry(req, res, url, entry, overrides) {
    const realm = overrides.realm ?? `${base}/token`
    const caller = callerOf(req)
    entry.credential = callerLabel(caller)
    const path = url.pathname
    /** @param {import('./world.mjs').Denial} d @param {string} scope */
    const refuse = (d, scope) => {
      entry.message = d.message
      // With credentials ghcr refuses without a challenge (§2.1 quirk); anonymous gets one.
      const extra = d.challenge ? { 'www-authenticate': challenge(realm, scope) } : undefined
      send(res, d.status, errors(d.code, d.message), extra)
    }

    if (path === '/v2/' || path === '/v2') {
      // §2.1: the /v2/ challenge carries ghcr's placeholder scope.
      if (caller.type === 'anonymous') {
        return refuse(
          {
            allow: false,
            status: 401,
            code: 'UNAUTHORIZED',
            message: 'authentication required',
            challenge: true,
          },
          'repository:user/image:pull',
        )
      }
      const t = caller.type === 'token' ? caller.token : undefined
      if (!t || t.expired || t.revoked) {
        return refuse(
          {
            allow: false,
            status: 401,
            code: 'UNAUTHORIZED',
            message: 'unauthenticated: User cannot be authenticated with the token provided.',
          },
          '',
        )
      }
      return forward(req, res, [])
    }

    const m = /^\/v2\/(.+?)\/(blobs|manifests|tags|referrers)\/(.*)$/.exec(path)
    if (!m) return send(res, 404, errors('NOT_FOUND', 'not found'))
    const repoPath = m[1]
    const method = req.method ?? 'GET'
    if (method === 'DELETE') {
      // ghcr refuses deletes and upload cancellation (§2.3).
      entry.message = 'unsupported'
      return send(res, 405, errors('UNSUPPORTED', 'The operation is unsupported.'))
    }
    const need =
      method === 'GET' || method === 'HEAD'
        ? 'read'
        : ['POST', 'PUT', 'PATCH'].includes(method)
          ? 'write'
          : undefined
    if (!need) return send(res, 405, errors('UNSUPPORTED', 'The operation is unsupported.'))
    const step =
      method === 'POST' && m[2] === 'blobs' && m[3].startsWith('uploads')
        ? 'upload'
        : method === 'PUT' && m[2] === 'manifests'
          ? 'manifest'
          : need === 'read'
            ? 'pull'
            : undefined
    const scripted = step ? scriptedAnswer(deps.getWorld(), caller, step) : undefined
    if (scripted) {
      entry.message = scripted.message
      return send(res, scripted.status, scriptedBody(scripted))
    }
    const decision = authorize(deps.getWorld(), caller, repoPath, need)
    if (!decision.allow) {
      return refuse(decision, `repository:${repoPath}:${need === 'write' ? 'pull,push' : 'pull'}`)
    }
    const isManifestPut = method === 'PUT' && m[2] === 'manifests'
    forward(
      req,
      res,
      [{ type: 'repository', name: repoPath, actions: decision.actions }],
      (status, headers) => {
        if (!isManifestPut || status !== 201) return
        recordPush(deps.getWorld(), caller, repoPath)
        // The package's versions, for GET …/packages/container/{name}/versions (the post step).
        const { owner, name } = splitRepoPath(repoPath)
        const pkg = findPackage(deps.getWorld(), owner, name)
        const digest = headers['docker-content-digest']
        if (pkg) recordVersion(pkg, m[3], typeof digest === 'string' ? digest : undefined)
      },
    )
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator')
    const isToken = url.pathname === '/token'
    /** @type {LogEntry} */
    const entry = {
      server: isToken ? 'token' : 'registry',
      method: req.method ?? '',
      path: url.pathname,
      status: 0,
      credential: 'anonymous',
    }
    res.on('close', () => {
      entry.status = res.headersSent ? res.statusCode : 0
      deps.record(entry)
    })
    try {
      const latency = deps.getLatency()
      if (latency > 0) await sleep(latency)
      /** @type {{ realm?: string }} */
      const overrides = {}
      const target = isToken ? 'token' : 'registry'
      if (deps.faults.apply({ req, res, target, otherHostUrl: deps.otherHostUrl, overrides }))
        return
      if (isToken) return handleToken(req, res, url, entry)
      if (url.pathname.startsWith('/v2')) return handleRegistry(req, res, url, entry, overrides)
      send(res, 404, errors('NOT_FOUND', 'not found'))
    } catch (err) {
      // A rig bug must show up as a loud 500, not as a hang.
      if (!res.headersSent) send(res, 500, errors('UNKNOWN', `rig error: ${String(err)}`))
      else res.destroy()
    }
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)))
  const addr = server.address()
  const port = typeof addr === 'object' && addr ? addr.port : 0
  base = `http://127.0.0.1:${port}`
  return {
    url: base,
    port,
    resetTokens: () => issued.clear(),
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve(undefined))
        server.closeAllConnections()
        agent.destroy()
      }),
  }
}
