// Which repository the linted files belong to, without the network: --repository, else
// GITHUB_REPOSITORY, else the `origin` remote in the nearest .git/config. Links in fix steps and
// the image owner check use it; when none is found the fixes say OWNER/REPO.

import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

export function detectRepository(
  cwd: string,
  env: Record<string, string | undefined>,
  serverUrl: string,
): string | undefined {
  const fromEnv = env.GITHUB_REPOSITORY?.trim()
  if (fromEnv && /^[^/\s]+\/[^/\s]+$/.test(fromEnv)) return fromEnv
  const config = findGitConfig(cwd)
  if (!config) return undefined
  return repositoryFromGitConfig(config, new URL(serverUrl).host)
}

function findGitConfig(start: string): string | undefined {
  let dir = start
  for (let i = 0; i < 50; i++) {
    try {
      return readFileSync(join(dir, '.git', 'config'), 'utf8')
    } catch {
      const up = dirname(dir)
      if (up === dir) return undefined
      dir = up
    }
  }
  return undefined
}

/** owner/repo of the `origin` remote when it is on `host` (https, ssh or scp-like URL). */
export function repositoryFromGitConfig(config: string, host: string): string | undefined {
  const section = /\[remote "origin"\]([^[]*)/.exec(config)?.[1]
  const url = section && /^\s*url\s*=\s*(\S+)/m.exec(section)?.[1]
  if (!url) return undefined
  const h = host.replace(/[.]/g, '\\.')
  const m = new RegExp(
    `^(?:https?://(?:[^@/]+@)?|ssh://(?:[^@/]+@)?|[^@/]+@)${h}[:/]([^/]+)/([^/]+?)(?:\\.git)?/?$`,
    'i',
  ).exec(url)
  return m ? `${m[1]}/${m[2]}` : undefined
}
