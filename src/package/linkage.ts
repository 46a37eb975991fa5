// Pure: which repository a container package is connected to, and what that means for the run's
// token (research ghcr-failure-modes.md §4), read from the answer to GET
// …/packages/container/{name} that preflight/gather.ts asked.
//
// No API exposes "Manage Actions access", so a linked repository different from the run's is a
// strong hint, not proof: the registry probe decides. Hence warnings here, never a denial.

import { makeFinding } from '../findings/catalogue.js'
import type { Finding, Place } from '../findings/types.js'
import type { PackageResult } from '../github/api.js'
import type { Check } from '../report/types.js'

export interface PackageLinkOptions {
  /** The answer came to the run's GITHUB_TOKEN (a 404 is then inconclusive, §4.2). */
  tokenIsRunToken: boolean
  ownerType: 'user' | 'org'
  owner: string
  /** Package name: the image path after the owner, e.g. `app` or `tools/app`. */
  name: string
  /** owner/repo of the run. */
  runRepository: string
  place: Place
  /** The normalised image reference, for the finding's `image` field. */
  image?: string
}

export interface PackageLink {
  exists: boolean | 'unknown'
  /** owner/repo the package is connected to, when it is. */
  linkedRepository?: string
  visibility?: string
  /** One plain sentence for the summary (notice level) when nothing is wrong to report. */
  detail?: string
  findings: Finding[]
  /** The summary's row for this package (never 'fail': the link is a hint, the probe decides). */
  check: Check
}

/** Pure: the GET …/packages/container/{name} answer → what it tells about the link. */
export function readPackageLink(o: PackageLinkOptions, answer: PackageResult): PackageLink {
  const link = linkOf(o, answer)
  return {
    ...link,
    check: {
      name: `package ${o.owner}/${o.name}`,
      status: link.findings.length > 0 ? 'warn' : link.exists === 'unknown' ? 'info' : 'pass',
      detail:
        link.findings[0]?.message ??
        [link.detail, link.visibility ? `visibility ${link.visibility}` : undefined]
          .filter(Boolean)
          .join('; '),
    },
  }
}

function linkOf(o: PackageLinkOptions, answer: PackageResult): Omit<PackageLink, 'check'> {
  const pkg = `${o.owner}/${o.name}`
  if (answer.kind === 'not-found') {
    if (o.tokenIsRunToken) {
      return {
        exists: 'unknown',
        findings: [],
        detail:
          `GitHub answered 404 for the package ${pkg} to the run's token. That is not a refusal: the run's ` +
          'token sees a package only when this repository has the Admin role on it, so the package may ' +
          'not exist yet or may exist without this repository being connected. The registry probe decides.',
      }
    }
    return {
      exists: false,
      findings: [],
      detail: `The package ${pkg} does not exist yet; the first push will create it.`,
    }
  }
  if (answer.kind !== 'ok') {
    const why =
      answer.kind === 'unreachable' || answer.kind === 'bad-response'
        ? answer.reason
        : `HTTP ${answer.status}${answer.message ? ` "${answer.message}"` : ''}`
    return {
      exists: 'unknown',
      findings: [],
      detail: `Could not read the package ${pkg} from the GitHub API (${why}); its repository link is unknown.`,
    }
  }

  const result: Omit<PackageLink, 'check'> = { exists: true, findings: [] }
  if (answer.repository) result.linkedRepository = answer.repository
  if (answer.visibility) result.visibility = answer.visibility
  const linked = answer.repository
  if (linked && linked.toLowerCase() === o.runRepository.toLowerCase()) {
    result.detail = `The package ${pkg} is connected to ${o.runRepository}.`
    return result
  }

  const finding = makeFinding('package-not-linked', o.place, {
    // A hint, not proof: the repository may already be in "Manage Actions access".
    severity: 'warning',
    message: linked
      ? `The package ${pkg} is connected to ${linked}, not to ${o.runRepository}: unless ${o.runRepository} ` +
        'has Write under "Manage Actions access", the run\'s token is refused ("permission_denied: ' +
        'write_package" or "installation not allowed to Write organization package").'
      : `The package ${pkg} exists but is not connected to any repository (typically it was first pushed ` +
        `with a personal access token), so ${o.runRepository}'s token has no access to it unless it was ` +
        'added under "Manage Actions access".',
    // The catalogue builds the steps (Manage Actions access → Add repository → Write, Connect
    // repository, the source label) from these details, with the package's own URLs.
    ...(o.image ? { image: o.image } : {}),
    details: {
      owner: o.owner,
      ownerType: o.ownerType,
      package: o.name,
      linkedRepository: linked,
      image: o.image,
    },
  })
  result.findings.push(finding)
  return result
}
