#!/usr/bin/env node
// `npm run conformance -- --registry URL [--repository OWNER/NAME] [--owner-type user|org]`
//
// Sends the probe sequences the rig relies on to a registry and to the rig, and prints where
// their answers differ: status, errors[0].code, errors[0].message, the challenge's shape, the
// token's shape and the upload's Location. Without --registry it compares the rig with a second
// rig (what `npm test` runs, so this code is tested); with --registry https://ghcr.io it is the
// live check of the rig's model of ghcr.io. Exit 0 when nothing differs, 1 when something does,
// 2 on a usage error.
//
// Credentials come from the environment only, never from arguments (they would show in the
// process list and the job log):
//   CONFORMANCE_USERNAME       login name sent with every credential (default: x-access-token)
//   CONFORMANCE_TOKEN          may push to the repository (e.g. a job's GITHUB_TOKEN with
//                              packages: write, or a classic PAT with write:packages)
//   CONFORMANCE_READ_TOKEN     may read but not push (a GITHUB_TOKEN with packages: read)
//   CONFORMANCE_EXPIRED_TOKEN  an expired or revoked classic PAT
//   CONFORMANCE_REPOSITORY     owner/name of an existing package to probe (or --repository)
// A probe whose credential is not set is listed as not run. An unknown credential (a made-up
// classic PAT) needs no secret and always runs. Nothing is published: an upload session that is
// started and never completed creates no blob, tag or version.

import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { startRig } from '../rig/index.mjs'

const TIMEOUT_MS = 15_000
const UNKNOWN_PAT = `ghp_${'0'.repeat(36)}`

/** @typedef {{ username: string, good?: string, read?: string, expired?: string, unknown: string }} Credentials */
/** @typedef {Record<string, string>} Answer  field → normalised value */

/** Masks every credential (and its base64 forms) out of text before it is printed. */
function masker(/** @type {string[]} */ secrets) {
  const all = secrets
    .filter((s) => s && s.length >= 4)
    .flatMap((s) => [s, Buffer.from(s).toString('base64')])
    .sort((a, b) => b.length - a.length)
  return (/** @type {string} */ text) => all.reduce((t, s) => t.split(s).join('***'), text)
}

async function request(/** @type {string} */ url, /** @type {RequestInit} */ init = {}) {
  try {
    const res = await fetch(url, {
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
      ...init,
    })
    return { res, body: await res.text() }
  } catch (err) {
    return { error: String(/** @type {Error} */ (err).message ?? err) }
  }
}

/** errors[0] of a registry body; `(none)` when absent, `(not JSON)` when unreadable. */
function registryError(/** @type {string} */ body) {
  if (body.trim() === '') return { code: '(none)', message: '(none)' }
  try {
    const first = JSON.parse(body)?.errors?.[0]
    return { code: first?.code ?? '(none)', message: first?.message ?? '(none)' }
  } catch {
    return { code: '(not JSON)', message: '(not JSON)' }
  }
}

/** The shape of a WWW-Authenticate challenge, comparable across hosts. */
function challengeShape(/** @type {string|null} */ header, /** @type {string} */ base) {
  if (!header) return '(none)'
  const scheme = header.split(/\s+/, 1)[0]
  const params = Object.fromEntries(
    [...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
  )
  let realm = params.realm ? 'other host' : 'no realm'
  try {
    if (params.realm && new URL(params.realm).host === new URL(base).host) {
      realm = `same host${new URL(params.realm).pathname}`
    }
  } catch {
    realm = 'not a URL'
  }
  const rest = Object.keys(params)
    .filter((k) => k !== 'realm')
    .sort()
    .map((k) =>
      k === 'scope'
        ? `scope="${params.scope}"`
        : k === 'service'
          ? `service="${params.service}"`
          : k,
    )
  return [scheme, `realm ${realm}`, ...rest].join(', ')
}

function answerOf(/** @type {any} */ r, /** @type {string} */ base) {
  if (r.error) return { status: '(no answer)', error: r.error }
  const err = registryError(r.body)
  return {
    status: String(r.res.status),
    code: err.code,
    message: err.message,
    challenge: challengeShape(r.res.headers.get('www-authenticate'), base),
  }
}

/**
 * The probe sequences of the rig (rig/ghcr-emulator.mjs) and of the action (src/registry/):
 * challenge, token with each credential, upload start with each token, upload cancel.
 * @param {string} base @param {string} repository @param {Credentials} creds
 * @returns {Promise<Array<{ probe: string, answer?: Answer, skipped?: string }>>}
 */
export async function probeSequences(base, repository, creds) {
  base = base.replace(/\/+$/, '')
  /** @type {Array<{ probe: string, answer?: Answer, skipped?: string }>} */
  const out = []
  const challenge = await request(`${base}/v2/`)
  out.push({ probe: 'challenge: anonymous GET /v2/', answer: answerOf(challenge, base) })
  const header = challenge.res?.headers.get('www-authenticate') ?? ''
  const realm = /realm="([^"]+)"/.exec(header)?.[1]
  const service = /service="([^"]+)"/.exec(header)?.[1]
  const anonymousUpload = await request(`${base}/v2/${repository}/blobs/uploads/`, {
    method: 'POST',
    headers: { 'content-length': '0' },
  })
  out.push({ probe: 'upload start, no credential', answer: answerOf(anonymousUpload, base) })
  if (!realm) {
    out.push({ probe: 'token and upload probes', skipped: 'the challenge names no token realm' })
    return out
  }
  const tokenUrl = new URL(realm)
  if (service) tokenUrl.searchParams.set('service', service)
  tokenUrl.searchParams.set('scope', `repository:${repository}:pull,push`)
  // Credentials go only to the registry's own host (contracts §4).
  if (tokenUrl.host !== new URL(base).host) {
    out.push({
      probe: 'token and upload probes',
      skipped: `the token realm is on another host (${tokenUrl.host}); no credential was sent`,
    })
    return out
  }

  for (const [name, secret] of /** @type {Array<[string, string|undefined]>} */ ([
    ['good', creds.good],
    ['read-only', creds.read],
    ['expired', creds.expired],
    ['unknown', creds.unknown],
  ])) {
    if (!secret) {
      out.push({ probe: `token, ${name} credential`, skipped: 'credential not set' })
      continue
    }
    const basic = Buffer.from(`${creds.username}:${secret}`).toString('base64')
    const token = await request(tokenUrl.toString(), {
      headers: { authorization: `Basic ${basic}` },
    })
    const answer = answerOf(token, base)
    let bearer = ''
    if (token.res?.status === 200) {
      try {
        const t = JSON.parse(token.body)
        bearer = t.token ?? t.access_token ?? ''
      } catch {
        // reported as a shape below
      }
      answer.token = bearer ? (bearer.split('.').length === 3 ? 'JWT' : 'opaque') : '(none)'
      answer.code = '-'
      answer.message = '-'
    }
    out.push({ probe: `token, ${name} credential`, answer })
    if (!bearer) continue
    const upload = await request(`${base}/v2/${repository}/blobs/uploads/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-length': '0' },
    })
    const up = answerOf(upload, base)
    const location = upload.res?.headers.get('location')
    up.location = !location ? '(none)' : /^https?:/.test(location) ? 'absolute' : 'relative'
    out.push({ probe: `upload start, ${name} credential`, answer: up })
    if (upload.res?.status === 202 && location) {
      const cancel = await request(new URL(location, `${base}/`).toString(), {
        method: 'DELETE',
        headers: { authorization: `Bearer ${bearer}` },
      })
      out.push({
        probe: `upload cancel (DELETE), ${name} credential`,
        answer: answerOf(cancel, base),
      })
    }
  }
  return out
}

/** The rig, set up as the remote is assumed to be: the repository's package exists, linked. */
export async function rigFor(
  /** @type {string} */ repository,
  /** @type {'user'|'org'} */ ownerType,
) {
  const rig = await startRig()
  const [owner, name] = repository.split('/')
  const { tokens } = rig.setWorld({
    repository,
    github: {
      owners: { [owner]: ownerType },
      tokens: {
        good: { kind: 'actions', packages: 'write' },
        read: { kind: 'actions', packages: 'read' },
        expired: { kind: 'classic', owner, scopes: ['write:packages'], expired: true },
      },
      packages: [{ owner, name, repository, visibility: 'private' }],
    },
  })
  return { rig, tokens }
}

/**
 * Compares two probe runs field by field.
 * @returns {{ rows: string[][], differences: number, notRun: string[] }}
 */
export function compare(/** @type {any[]} */ remote, /** @type {any[]} */ local) {
  const rows = []
  const notRun = []
  let differences = 0
  const probes = [...new Set([...remote, ...local].map((p) => p.probe))]
  for (const probe of probes) {
    const a = remote.find((p) => p.probe === probe)
    const b = local.find((p) => p.probe === probe)
    if (!a?.answer || !b?.answer) {
      notRun.push(`${probe}: ${a?.skipped ?? b?.skipped ?? 'not run on one side'}`)
      continue
    }
    for (const field of [...new Set([...Object.keys(a.answer), ...Object.keys(b.answer)])]) {
      const x = a.answer[field] ?? '(none)'
      const y = b.answer[field] ?? '(none)'
      const same = x === y
      if (!same) differences++
      rows.push([same ? ' ' : '≠', probe, field, x, y])
    }
  }
  return { rows, differences, notRun }
}

function table(/** @type {string[][]} */ rows, /** @type {string[]} */ head) {
  const all = [head, ...rows]
  const widths = head.map((_, i) => Math.min(80, Math.max(...all.map((r) => r[i].length))))
  return all
    .map((r) =>
      r
        .map((c, i) => (c.length > 80 ? `${c.slice(0, 77)}...` : c.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

async function main() {
  let args
  try {
    args = parseArgs({
      options: {
        registry: { type: 'string' },
        repository: { type: 'string' },
        'owner-type': { type: 'string', default: 'user' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values
  } catch (e) {
    console.error(`conformance: ${/** @type {Error} */ (e).message}`)
    return 2
  }
  if (args.help) {
    console.log(
      'usage: npm run conformance -- [--registry URL] [--repository OWNER/NAME] [--owner-type user|org]\ncredentials: CONFORMANCE_TOKEN, CONFORMANCE_READ_TOKEN, CONFORMANCE_EXPIRED_TOKEN, CONFORMANCE_USERNAME (environment only)',
    )
    return 0
  }
  const repository = (
    args.repository ??
    process.env.CONFORMANCE_REPOSITORY ??
    'octo/conformance'
  ).toLowerCase()
  if (!/^[a-z0-9][\w.-]*\/[a-z0-9][\w./-]*$/.test(repository)) {
    console.error(`conformance: --repository must be OWNER/NAME, got ${JSON.stringify(repository)}`)
    return 2
  }
  const ownerType = args['owner-type'] === 'org' ? 'org' : 'user'
  if (args.registry) {
    try {
      const u = new URL(args.registry)
      const loopback = /^(127\.|localhost$|\[::1\]$)/.test(u.hostname)
      if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback))
        throw new Error('https only')
    } catch {
      console.error(
        `conformance: --registry must be an https URL (http only for loopback), got ${JSON.stringify(args.registry)}`,
      )
      return 2
    }
  }

  const local = await rigFor(repository, ownerType)
  /** @type {{ rig: import('../rig/index.mjs').Rig, tokens: Record<string,string> } | undefined} */
  let other
  try {
    let base
    /** @type {Credentials} */
    let remoteCreds
    if (args.registry) {
      base = args.registry
      remoteCreds = {
        username: process.env.CONFORMANCE_USERNAME || 'x-access-token',
        good: process.env.CONFORMANCE_TOKEN || undefined,
        read: process.env.CONFORMANCE_READ_TOKEN || undefined,
        expired: process.env.CONFORMANCE_EXPIRED_TOKEN || undefined,
        unknown: UNKNOWN_PAT,
      }
    } else {
      other = await rigFor(repository, ownerType)
      base = other.rig.registryUrl
      remoteCreds = { username: 'x-access-token', ...other.tokens, unknown: UNKNOWN_PAT }
    }
    // The rig gets a credential of the same kind for every one the remote gets.
    /** @type {Credentials} */
    const localCreds = {
      username: remoteCreds.username,
      unknown: UNKNOWN_PAT,
      ...(remoteCreds.good ? { good: local.tokens.good } : {}),
      ...(remoteCreds.read ? { read: local.tokens.read } : {}),
      ...(remoteCreds.expired ? { expired: local.tokens.expired } : {}),
    }
    const mask = masker([
      remoteCreds.good ?? '',
      remoteCreds.read ?? '',
      remoteCreds.expired ?? '',
      ...Object.values(local.tokens),
    ])
    const [remote, rig] = await Promise.all([
      probeSequences(base, repository, remoteCreds),
      probeSequences(local.rig.registryUrl, repository, localCreds),
    ])
    const { rows, differences, notRun } = compare(remote, rig)
    const label = args.registry ? new URL(args.registry).host : 'rig (second instance)'
    console.log(`conformance: ${label} against the rig, repository ${repository}\n`)
    console.log(mask(table(rows, [' ', 'probe', 'field', label, 'rig'])))
    for (const n of notRun) console.log(`not run: ${n}`)
    console.log(`\n${differences} difference${differences === 1 ? '' : 's'}`)
    return differences > 0 ? 1 : 0
  } finally {
    await Promise.all([local.rig.stop(), other?.rig.stop()])
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => {
      process.exitCode = code
    },
    (err) => {
      console.error(`conformance: ${err?.message ?? err}`)
      process.exitCode = 1
    },
  )
}
