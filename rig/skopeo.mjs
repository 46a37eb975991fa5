// skopeo as the real client: push the rig's tiny OCI image the way a user's docker push would,
// so the emulator's answers are checked against what a real registry client experiences.
import { execFile } from 'node:child_process'
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildOciLayout } from './oci-image.mjs'

export const SKOPEO_BIN = '/usr/bin/skopeo'
/** nobody/nogroup: as root, skopeo would write its blob cache under /var/lib/containers. */
const NOBODY = 65534

/**
 * @typedef {object} SkopeoPushOptions
 * @property {string} registryUrl   e.g. http://127.0.0.1:41234 (the emulator)
 * @property {string} image         repository path, e.g. acme/app
 * @property {string} [tag]         default 'latest'
 * @property {string} username
 * @property {string} password
 * @property {number} [timeoutMs]   default 30000
 * @property {import('./oci-image.mjs').OciLayout} [layout]  default: a tiny image built for this call
 * @property {string} [bin]         the skopeo binary (default /usr/bin/skopeo)
 * @typedef {{ ok: boolean, exitCode: number | null, stderr: string, timedOut: boolean }} SkopeoResult
 */

/** @param {string} text @param {string[]} secrets */
function scrub(text, secrets) {
  let out = text
  for (const s of secrets) if (s) out = out.split(s).join('***')
  return out
}

/**
 * Runs `skopeo copy oci:<layout>:<ref> docker://<host>/<image>:<tag>` with credentials in a
 * 0600 auth file (not argv, so they never show in the process list) and HOME/XDG in a temp dir.
 * @param {SkopeoPushOptions} options
 * @returns {Promise<SkopeoResult>}
 */
export async function skopeoPush(options) {
  const bin = options.bin ?? SKOPEO_BIN
  if (!existsSync(bin)) {
    throw new Error(
      `${bin} is missing: install the Debian package skopeo (sudo apt-get install -y skopeo, or run bash scripts/setup.sh)`,
    )
  }
  const host = new URL(options.registryUrl).host
  const work = mkdtempSync(join(tmpdir(), 'rig-skopeo-'))
  // Built before the work dir is handed to the unprivileged user, removed with it.
  const layout = options.layout ?? buildOciLayout({ dir: join(work, 'oci') })
  const asRoot = process.getuid?.() === 0
  try {
    for (const d of ['run', 'config', 'data', 'cache', 'tmp'])
      mkdirSync(join(work, d), { mode: 0o700 })
    const authFile = join(work, 'auth.json')
    const basic = Buffer.from(`${options.username}:${options.password}`).toString('base64')
    // No password: a push that never logged in (an empty auth file, so no credential is sent).
    const auths = options.password ? { [host]: { auth: basic } } : {}
    writeFileSync(authFile, JSON.stringify({ auths }), { mode: 0o600 })
    if (asRoot) {
      for (const p of [
        work,
        authFile,
        ...['run', 'config', 'data', 'cache', 'tmp'].map((d) => join(work, d)),
      ]) {
        chownSync(p, NOBODY, NOBODY)
      }
    } else chmodSync(work, 0o700)
    const args = [
      '--insecure-policy',
      'copy',
      '--retry-times',
      '0',
      '--dest-authfile',
      authFile,
      '--dest-tls-verify=false',
      `oci:${layout.dir}:${layout.ref}`,
      `docker://${host}/${options.image}:${options.tag ?? 'latest'}`,
    ]
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: work,
      XDG_RUNTIME_DIR: join(work, 'run'),
      XDG_CONFIG_HOME: join(work, 'config'),
      XDG_DATA_HOME: join(work, 'data'),
      XDG_CACHE_HOME: join(work, 'cache'),
      TMPDIR: join(work, 'tmp'),
    }
    return await new Promise((resolve) => {
      execFile(
        bin,
        args,
        {
          env,
          cwd: work,
          timeout: options.timeoutMs ?? 30_000,
          killSignal: 'SIGKILL',
          ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
        },
        (err, _stdout, stderr) => {
          const e = /** @type {(Error & { code?: number | string, killed?: boolean }) | null} */ (
            err
          )
          const exitCode = e ? (typeof e.code === 'number' ? e.code : null) : 0
          resolve({
            ok: !e,
            exitCode,
            stderr: scrub(String(stderr), [
              options.password,
              basic,
              Buffer.from(options.password).toString('base64'),
            ]),
            timedOut: Boolean(e?.killed),
          })
        },
      )
    })
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
