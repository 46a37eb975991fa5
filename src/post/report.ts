// Pure: what the post step found after the job's pushes → notes (annotations) and the job
// summary. The project's runbook ended with "Verification": check what was pushed, check the
// package page, and make sure the package is connected so the run's own token works. After a
// push with the fallback PAT, that last step is what lets the PAT be retired.

import { makeFinding } from '../findings/catalogue.js'
import { packageSettingsUrl, packageUrl, tokensUrl } from '../findings/links.js'
import type { Place } from '../findings/types.js'
import type { PackageResult } from '../github/api.js'
import type { PackageVersion, VersionsResult } from '../github/package-versions.js'
import type { PostState } from './state.js'

/** Clock skew allowed between the runner and GitHub when deciding "pushed since the preflight". */
export const SKEW_MS = 120_000

type Skipped = { kind: 'skipped'; reason: string }

export interface PackageSeen {
  /** host/owner/name */
  image: string
  owner: string
  name: string
  ownerType?: 'user' | 'org'
  pkg: PackageResult | Skipped
  versions: VersionsResult | Skipped
}

export interface PostFacts {
  state: PostState
  place: Place
  /** The repository's visibility, from the event payload. */
  repositoryVisibility?: string
  /** Which token the API was asked with. */
  askedWith: 'fallback-token' | 'github-token' | 'none'
  packages: PackageSeen[]
  /** Why nothing could be asked at all (no token in the post step's inputs, …). */
  problem?: string
}

export interface PostNote {
  level: 'warning' | 'notice'
  title: string
  message: string
}

export interface PostReport {
  notes: PostNote[]
  /** Job summary (HTML, like the main step's). */
  summary: string
  /** Plain log lines. */
  log: string[]
}

export function pushedSince(versions: PackageVersion[], at: string): PackageVersion[] {
  const since = Date.parse(at) - SKEW_MS
  return versions.filter((v) => Date.parse(v.updatedAt || v.createdAt) >= since)
}

export function postReport(f: PostFacts): PostReport {
  const notes: PostNote[] = []
  const log: string[] = []
  const rows: string[] = []
  const unreachable: string[] = []
  let anyPushed = false
  let allListed = f.packages.length > 0

  for (const p of f.packages) {
    const pageUrl = p.ownerType ? packageUrl(f.place, p.ownerType, p.owner, p.name) : undefined
    const versions = p.versions
    let pushed: PackageVersion[] = []
    if (versions.kind === 'ok') {
      pushed = pushedSince(versions.versions, f.state.at)
      if (pushed.length > 0) anyPushed = true
    } else {
      allListed = false
      if (isTrouble(versions)) unreachable.push(`${p.image}: ${describe(versions)}`)
    }
    rows.push(row(p, pushed, versions, pageUrl, f.askedWith))
    log.push(
      versions.kind === 'ok'
        ? `${p.image}: ${pushed.length} version(s) created or updated since the preflight${pushed.length ? `: ${pushed.map(label).join(', ')}` : ''}`
        : `${p.image}: versions not listed (${describe(versions)})`,
    )

    const pkg = p.pkg
    if (pkg.kind === 'ok') {
      if (f.state.result === 'fallback') notes.push(...linkNote(f, p, pkg))
      if (pkg.visibility === 'private' && f.repositoryVisibility === 'public') {
        const settings = p.ownerType
          ? packageSettingsUrl(f.place, p.ownerType, p.owner, p.name)
          : 'its settings page'
        notes.push({
          level: 'notice',
          title: 'ghcr-preflight: private package of a public repository',
          message: `${p.image} is private while ${f.place.repository} is public: anyone can read the code but nobody can pull the image without a token. If it is meant to be public, open ${settings}, "Danger Zone" → "Change visibility" → Public (a package connected to a repository keeps its own visibility).`,
        })
      }
    } else if (isTrouble(pkg)) {
      unreachable.push(`${p.image}: ${describe(pkg)}`)
    }
  }

  const allowed = f.state.result === 'ready' || f.state.result === 'fallback'
  if (allowed && allListed && !anyPushed) {
    notes.push({
      level: 'notice',
      title: 'ghcr-preflight: nothing was pushed',
      message: `ghcr-preflight said this job could push (${f.state.result}), but no version of ${f.packages.map((p) => p.image).join(', ')} was created or updated since: did the push step run (push: true, its if: condition, a failed build)?`,
    })
  }
  if (f.problem) {
    notes.push({
      level: 'notice',
      title: 'ghcr-preflight: nothing checked after the push',
      message: f.problem,
    })
  } else if (unreachable.length > 0) {
    notes.push({
      level: 'notice',
      title: 'ghcr-preflight: could not check after the push',
      message: `The GitHub API could not be asked about the package (${unreachable.join('; ')}). The push itself is not affected.`,
    })
  }
  return { notes, summary: summary(f, rows, notes), log }
}

/** After a fallback push: the package is not connected to this repository → how to retire the PAT. */
function linkNote(
  f: PostFacts,
  p: PackageSeen,
  pkg: Extract<PackageResult, { kind: 'ok' }>,
): PostNote[] {
  const here = f.place.repository.toLowerCase()
  if (pkg.repository?.toLowerCase() === here) {
    return [
      {
        level: 'notice',
        title: 'ghcr-preflight: package connected, run token refused',
        message: `${p.image} is connected to ${f.place.repository}, yet the run's token could not push and the fallback PAT was used: the job's permissions lack packages: write (see the preflight step), or ${f.place.repository} has only Read under the package's "Manage Actions access". Once the run's token is proven (result: ready), the fallback-token and its PAT can go.`,
      },
    ]
  }
  const all = makeFinding('package-not-linked', f.place, {
    details: {
      owner: p.owner,
      ...(p.ownerType ? { ownerType: p.ownerType } : {}),
      package: p.name,
      image: p.image,
      ...(pkg.repository ? { linkedRepository: pkg.repository } : {}),
    },
  }).fix
  // Connected elsewhere: grant Write (connecting is for a package connected to nothing yet).
  // Not connected: connect it. Either way, label future images with their source.
  const steps = (pkg.repository ? [all[0], all[2]] : [all[1], all[0], all[2]]).filter(
    (s): s is string => !!s,
  )
  const where = pkg.repository
    ? `connected to ${pkg.repository}`
    : 'not connected to any repository'
  return [
    {
      level: 'warning',
      title: 'ghcr-preflight: the push needed the fallback PAT',
      message:
        `${p.image} was pushed with the fallback PAT because the package is ${where}, so this repository's own token may not write it. ` +
        `Do this once and the next run pushes with the run's GITHUB_TOKEN (result: ready): ` +
        steps
          .map((s, i) => `(${i + 1}) ${s.replace(/\n\s*/g, ' ').replace(/[.\s]*$/, '.')}`)
          .join(' ') +
        ` Then remove fallback-token from the workflow and revoke the PAT at ${tokensUrl(f.place)}.`,
    },
  ]
}

function row(
  p: PackageSeen,
  pushed: PackageVersion[],
  versions: VersionsResult | Skipped,
  pageUrl: string | undefined,
  askedWith: PostFacts['askedWith'],
): string {
  const image = `<code>${esc(p.image)}</code>${pageUrl ? `<br><a href="${esc(pageUrl)}">package page</a>` : ''}`
  let what: string
  if (versions.kind !== 'ok') {
    what =
      versions.kind === 'not-found' && askedWith === 'github-token'
        ? "not listed: the run's token sees a package's versions only when this repository has the Admin role on it"
        : `not listed (${esc(describe(versions))})`
  } else if (pushed.length === 0) {
    what = 'nothing created or updated since the preflight'
  } else {
    what = pushed
      .map(
        (v) =>
          `${v.tags.length ? v.tags.map((t) => `<code>${esc(t)}</code>`).join(' ') : '(untagged)'} <code>${esc(v.digest)}</code> <sub>${esc(v.updatedAt)}</sub>`,
      )
      .join('<br>')
  }
  return `<tr><td>${image}</td><td>${what}</td></tr>`
}

function summary(f: PostFacts, rows: string[], notes: PostNote[]): string {
  const out = ['<h2>ghcr-preflight: after the push</h2>']
  if (rows.length > 0) {
    out.push(`<table><tr><th>Image</th><th>Pushed in this job</th></tr>${rows.join('')}</table>`)
  }
  for (const n of notes) {
    out.push(
      `<p>${n.level === 'warning' ? '⚠️' : 'ℹ️'} <strong>${esc(n.title.replace(/^ghcr-preflight: /, ''))}</strong><br>${esc(n.message)}</p>`,
    )
  }
  if (notes.length === 0 && rows.length === 0) out.push('<p>Nothing to check.</p>')
  return out.join('\n') + '\n'
}

function label(v: PackageVersion): string {
  return `${v.tags.join(' ') || '(untagged)'} ${v.digest.slice(0, 19)}…`
}

type Failure = Exclude<PackageResult | VersionsResult | Skipped, { kind: 'ok' }>

function isTrouble(r: Failure): boolean {
  return (
    r.kind === 'unreachable' ||
    r.kind === 'bad-response' ||
    (r.kind === 'http-error' && (r.status >= 500 || r.status === 429))
  )
}

function describe(r: Failure): string {
  switch (r.kind) {
    case 'skipped':
      return r.reason
    case 'unreachable':
      return r.reason
    case 'bad-response':
      return r.reason
    case 'not-found':
      return `404${r.message ? ` "${r.message}"` : ''}`
    case 'http-error':
      return `HTTP ${r.status}${r.message ? ` "${r.message}"` : ''}`
  }
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
