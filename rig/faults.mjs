// Injected faults for the emulators, so tests can prove the action never turns trouble into a
// pass. To add a fault: add an entry to FAULTS. A fault either answers the request itself
// (returns true) or sets `overrides` that the emulator applies to its normal answer (returns false).
import { clearInterval, setInterval } from 'node:timers'

/**
 * @typedef {'registry'|'token'|'api'} FaultTarget
 * @typedef {string | { fault: string, method?: string, path?: string | RegExp, times?: number }} FaultSpec
 *   e.g. 'status:503', or { fault: 'hang', method: 'POST', path: /blobs\/uploads/, times: 1 }
 * @typedef {object} FaultContext
 * @property {import('node:http').IncomingMessage} req
 * @property {import('node:http').ServerResponse} res
 * @property {FaultTarget} target
 * @property {string} arg              text after the first ':' ('' when none)
 * @property {string} otherHostUrl     base URL of the "other host" capture server
 * @property {{ realm?: string }} overrides
 */

/** @param {FaultTarget} target @param {number} status @param {string} text */
function errorBody(target, status, text) {
  if (target === 'api') return JSON.stringify({ message: text, status: String(status) })
  const code = status === 429 ? 'TOOMANYREQUESTS' : status >= 500 ? 'UNAVAILABLE' : 'DENIED'
  return JSON.stringify({ errors: [{ code, message: text }] })
}

/** @param {FaultContext} ctx @param {number} status @param {Record<string,string>} [headers] */
function sendError(ctx, status, headers = {}) {
  const body = errorBody(ctx.target, status, `injected fault: HTTP ${status}`)
  ctx.res.writeHead(status, { 'content-type': 'application/json', ...headers })
  ctx.res.end(body)
}

/** @type {Record<string, (ctx: FaultContext) => boolean>} */
export const FAULTS = {
  /** Never answer (the client's timeout must fire). The server drops the socket on stop. */
  hang: () => true,
  /** Drop the connection without a response. */
  reset: (ctx) => {
    ctx.req.socket.destroy()
    return true
  },
  /** 'status:503' → that status with a JSON error body. */
  status: (ctx) => {
    sendError(ctx, Number(ctx.arg) || 503)
    return true
  },
  /** 'retry-after:2' → 429 with Retry-After: 2. */
  'retry-after': (ctx) => {
    sendError(ctx, 429, { 'retry-after': ctx.arg || '1' })
    return true
  },
  /** An HTML error page, like a mistyped host (ghrc.io) answers (ghcr-failure-modes §1.11). */
  html: (ctx) => {
    ctx.res.writeHead(Number(ctx.arg) || 403, { 'content-type': 'text/html' })
    ctx.res.end(
      '<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n</body></html>\n',
    )
    return true
  },
  /** 200 with a JSON body of 'huge-json:<MiB>' (default 32 MiB): the client must cap reads. */
  'huge-json': (ctx) => {
    const total = (Number(ctx.arg) || 32) * 1024 * 1024
    const chunk = Buffer.alloc(64 * 1024, 'x')
    ctx.res.writeHead(200, { 'content-type': 'application/json' })
    ctx.res.write('{"token":"')
    let sent = 0
    const pump = () => {
      while (sent < total && !ctx.res.destroyed) {
        sent += chunk.length
        if (!ctx.res.write(chunk)) return void ctx.res.once('drain', pump)
      }
      if (!ctx.res.destroyed) ctx.res.end('"}')
    }
    pump()
    return true
  },
  /** Promise more bytes than are sent, then drop the connection. */
  truncated: (ctx) => {
    ctx.res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' })
    ctx.res.write('{"errors":[{"code":"DEN')
    setTimeout(() => ctx.req.socket.destroy(), 20)
    return true
  },
  /** 307 to the same path on another host: credentials must not follow (contracts §4). */
  'redirect-other-host': (ctx) => {
    ctx.res.writeHead(307, { location: `${ctx.otherHostUrl}${ctx.req.url}` })
    ctx.res.end()
    return true
  },
  /**
   * 'malformed-json:<status>' (default 200): a JSON content type with a body that does not
   * parse, like a proxy that cut an answer short or a service with a bug.
   */
  'malformed-json': (ctx) => {
    ctx.res.writeHead(Number(ctx.arg) || 200, { 'content-type': 'application/json' })
    ctx.res.end('{"errors":[{"code":"DENIED","message":"denied"}],,"token":')
    return true
  },
  /**
   * 'realm:<url>': the /v2/ challenge names this token realm, e.g. a closed port on the same
   * loopback host, so tests can make the token service refuse connections.
   */
  realm: (ctx) => {
    if (ctx.arg) ctx.overrides.realm = ctx.arg
    return false
  },
  /** The /v2/ challenge names a token realm on another host (contracts §4). */
  'realm-other-host': (ctx) => {
    ctx.overrides.realm = `${ctx.otherHostUrl}/token`
    return false
  },
  /** Headers at once, then one body byte every 'slow-body:<ms>' (default 200 ms). */
  'slow-body': (ctx) => {
    const every = Number(ctx.arg) || 200
    const body = Buffer.from(errorBody(ctx.target, 200, 'slow body'))
    ctx.res.writeHead(200, { 'content-type': 'application/json' })
    let i = 0
    const timer = setInterval(() => {
      if (ctx.res.destroyed || i >= body.length) {
        clearInterval(timer)
        if (!ctx.res.destroyed) ctx.res.end()
        return
      }
      ctx.res.write(body.subarray(i, ++i))
    }, every)
    ctx.res.on('close', () => clearInterval(timer))
    return true
  },
}

/** Per-target fault settings with optional method/path filters and a use count. */
export class FaultTable {
  constructor() {
    /** @type {Map<FaultTarget, { name: string, arg: string, method?: string, path?: string | RegExp, times?: number }>} */
    this.entries = new Map()
  }

  /** @param {FaultTarget} target @param {FaultSpec | null | undefined} spec */
  set(target, spec) {
    if (!['registry', 'token', 'api'].includes(target)) {
      throw new Error(`unknown fault target ${target}: use registry, token or api`)
    }
    if (!spec) return void this.entries.delete(target)
    const s = typeof spec === 'string' ? { fault: spec } : spec
    const i = s.fault.indexOf(':')
    const name = i < 0 ? s.fault : s.fault.slice(0, i)
    if (!FAULTS[name]) {
      throw new Error(`unknown fault ${name}: one of ${Object.keys(FAULTS).join(', ')}`)
    }
    this.entries.set(target, {
      name,
      arg: i < 0 ? '' : s.fault.slice(i + 1),
      method: s.method?.toUpperCase(),
      path: s.path,
      times: s.times,
    })
  }

  clear() {
    this.entries.clear()
  }

  /**
   * Runs the fault set for this target if it matches the request.
   * @param {Omit<FaultContext, 'arg'>} ctx
   * @returns {boolean} true when the fault answered the request
   */
  apply(ctx) {
    const e = this.entries.get(ctx.target)
    if (!e) return false
    const path = ctx.req.url ?? ''
    if (e.method && e.method !== ctx.req.method) return false
    if (e.path && !(typeof e.path === 'string' ? path.startsWith(e.path) : e.path.test(path))) {
      return false
    }
    if (e.times !== undefined) {
      if (e.times <= 0) return false
      e.times--
    }
    return FAULTS[e.name]({ ...ctx, arg: e.arg })
  }
}
