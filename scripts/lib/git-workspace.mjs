// A workspace as actions/checkout leaves it: a real git repository with given commits, one of
// them checked out, optionally a shallow clone holding only that one (fetch-depth: 1). Used by
// prepareRun (action-process.mjs), the scenario runner's `git:` section and the tests.

import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

// Fixed identity and dates: the same commits give the same SHAs on every machine.
const GIT_ENV = {
  GIT_AUTHOR_NAME: 'ghcr-preflight tests',
  GIT_AUTHOR_EMAIL: 'tests@ghcr-preflight.invalid',
  GIT_COMMITTER_NAME: 'ghcr-preflight tests',
  GIT_COMMITTER_EMAIL: 'tests@ghcr-preflight.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  LC_ALL: 'C',
}

function git(cwd, args, n = 0) {
  const date = `${1767225600 + n * 60} +0000` // 2026-01-01, a minute per commit
  return execFileSync('git', ['-c', 'init.defaultBranch=main', ...args], {
    cwd,
    env: { PATH: process.env.PATH, ...GIT_ENV, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim()
}

/**
 * Makes `dir` (absent or empty) a git repository.
 * @param {string} dir
 * @param {object} spec
 * @param {{name?: string, files?: Record<string, string|null>}[]} spec.commits oldest first; each
 *   commit's `files` change the tree of the one before (null deletes a file)
 * @param {string|number} [spec.checkout] the commit in the working tree (name or index; default last)
 * @param {boolean} [spec.shallow] the clone holds only the checked-out commit
 * @returns {Record<string, string>} each commit's SHA by name (and by index)
 */
export function makeGitWorkspace(dir, { commits, checkout, shallow = false }) {
  if (!Array.isArray(commits) || commits.length === 0) throw new Error('git: no commits given')
  const build = shallow ? mkdtempSync(join(tmpdir(), 'ghcr-preflight-origin-')) : dir
  mkdirSync(build, { recursive: true })
  git(build, ['init', '-q'])
  const shas = {}
  commits.forEach((commit, i) => {
    for (const [path, text] of Object.entries(commit.files ?? {})) {
      const abs = join(build, path)
      if (text === null) rmSync(abs, { force: true })
      else {
        mkdirSync(dirname(abs), { recursive: true })
        writeFileSync(abs, text)
      }
    }
    git(build, ['add', '-A'], i)
    git(build, ['commit', '-q', '--allow-empty', '-m', commit.name ?? `commit ${i}`], i)
    const sha = git(build, ['rev-parse', 'HEAD'])
    shas[i] = sha
    if (commit.name) shas[commit.name] = sha
    git(build, ['tag', `c${i}`], i)
  })
  const wanted = checkout ?? commits.length - 1
  const sha = shas[wanted]
  if (!sha) throw new Error(`git: checkout names no commit: ${wanted}`)
  if (shallow) {
    const index = Object.keys(shas).find((k) => /^\d+$/.test(k) && shas[k] === sha)
    git(tmpdir(), ['clone', '-q', '--depth', '1', '--branch', `c${index}`, `file://${build}`, dir])
    rmSync(build, { recursive: true, force: true })
  } else {
    git(dir, ['checkout', '-q', '--detach', sha])
  }
  return shas
}
