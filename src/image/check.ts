// Checks one image reference from the `image` input against the registry and the run's owner.
// Pure: facts in, findings out. Returns the best normalised image it can salvage, so the
// probe can still run on the lower-cased name while the finding tells the user what to change.

import { editDistance } from '../text/edit-distance.js'
import { registryForServer } from '../context.js'
import { makeFinding } from '../findings/catalogue.js'
import type { Finding, FindingFacts, FindingId, Place } from '../findings/types.js'
import { NAME_MAX_LENGTH, parseReference, type ReferenceProblem } from './reference.js'

export interface ImageCheckOptions {
  /** Registry host the run pushes to, e.g. ghcr.io. */
  registry: string
  /** The repository owner; when given, an image in another namespace is reported. */
  owner?: string
  place: Place
  file?: string
  line?: number
  column?: number
}

export interface CheckedImage {
  input: string
  /** Normalised host/path, lower-case, no tag or digest. */
  name: string
  registry: string
  owner: string
  /** Path after the host. */
  path: string
  tag?: string
  digest?: string
}

/** Old GitHub Packages Docker registry, replaced by the Container registry. */
const LEGACY_DOCKER_REGISTRY = 'docker.pkg.github.com'

/** The image an unconfigured run checks: <registry>/<repository lower-cased>. */
export function defaultImage(registry: string, repository: string): string {
  return `${registry.toLowerCase()}/${repository.toLowerCase()}`
}

export function checkImage(
  raw: string,
  opts: ImageCheckOptions,
): { image?: CheckedImage; findings: Finding[] } {
  const findings: Finding[] = []
  const registry = opts.registry.toLowerCase()
  const input = raw.trim()
  const shown = quote(raw)
  const add = (id: FindingId, facts: FindingFacts): void => {
    findings.push(makeFinding(id, opts.place, { ...locationOf(opts), ...facts }))
  }

  const { ref, problems } = parseReference(raw)
  const fatal = problems.filter((p) => p.kind !== 'scheme')
  if (problems.some((p) => p.kind === 'empty')) {
    add('image-name-invalid', {
      message: `the image reference is empty: an expression such as \`\${{ env.IMAGE }}\` was probably unset, so there is nothing to push to`,
      fix: [
        `Set \`image:\` to the full name, e.g. \`${defaultImage(registry, opts.place.repository)}\`, or make sure the expression that builds it is defined in this job`,
      ],
      details: { image: raw },
    })
    return { findings }
  }

  // Work out which registry the image goes to, and which one was meant.
  const writtenHost = ref.host?.toLowerCase()
  let host = writtenHost ?? registry
  if (writtenHost === undefined) {
    const dockerHub = `docker.io/${ref.components.join('/')}`
    add('image-registry-mismatch', {
      message: `image ${shown} has no registry host, so Docker sends it to Docker Hub (${quote(dockerHub)}) and the push fails with "denied: requested access to the resource is denied"; did you mean ${quote(`${registry}/${ref.components.join('/').toLowerCase()}`)}?`,
      fix: [
        `Prefix the image with \`${registry}/\`: write \`${registry}/${ref.components.join('/').toLowerCase()}\``,
      ],
      details: { image: raw, host: 'docker.io', registry },
    })
  } else if (writtenHost !== registry) {
    const hostOnly = writtenHost.replace(/:\d+$/, '')
    if (hostOnly === LEGACY_DOCKER_REGISTRY) {
      add('image-registry-mismatch', {
        message: `image ${shown} uses ${LEGACY_DOCKER_REGISTRY}, the old GitHub Packages Docker registry, which was replaced by the Container registry ${registry}`,
        fix: [
          `Replace \`${ref.host}/\` with \`${registry}/\`. The old registry's names had the repository in them (OWNER/REPO/IMAGE); on ${registry} a name is OWNER/IMAGE`,
        ],
        details: { image: raw, host: writtenHost, registry },
      })
      host = registry
    } else if (isTypo(hostOnly, registry)) {
      add('image-registry-mismatch', {
        message: `image ${shown} is on ${quote(ref.host!, 60)}, which looks like a typo for "${registry}": the push would fail (for "ghrc.io" with an HTML "403 Forbidden … Request forbidden by administrative rules"); write "${registry}" instead`,
        fix: [`Replace \`${ref.host}/\` with \`${registry}/\` in the image name`],
        details: { image: raw, host: writtenHost, registry },
      })
      host = registry
    } else if (isGitHubRegistry(hostOnly) && hostOnly !== serverRegistry(opts.place.serverUrl)) {
      // Another GitHub instance's Container registry (ghcr.io from GHES/GHE.com, or the reverse):
      // the run's token is not valid there, so this is the host mismatch, not a foreign image.
      add('registry-host-mismatch', {
        message: `image ${shown} is on ${hostOnly}, the Container registry of another GitHub instance: this run is on ${hostOf(opts.place.serverUrl)}, whose GITHUB_TOKEN is valid only on ${registry}`,
        details: { image: raw, registry: hostOnly, expectedRegistry: registry },
      })
    } else {
      add('image-registry-mismatch', {
        severity: 'warning',
        message: `image ${shown} is on ${quote(ref.host!, 60)}, not on ${registry}: ghcr-preflight checks pushes to ${registry} only, so nothing was checked for it`,
        fix: [
          `If this image is meant for ${registry}, write \`${registry}/${ref.components.join('/').toLowerCase()}\`; otherwise remove it from the \`image\` input and log in to ${ref.host} in its own step`,
        ],
        details: { image: raw, host: writtenHost, registry },
      })
    }
  }

  for (const p of problems) {
    if (p.kind === 'empty') continue
    add('image-name-invalid', invalidFacts(p, raw, ref.components, registry))
  }

  if (ref.components.length === 1 && ref.components[0] !== '' && host === registry) {
    add('image-name-invalid', {
      message: `image ${shown} has no namespace: ${registry} names are ${registry}/OWNER/IMAGE, so the push has no owner to go to`,
      fix: [
        `Write \`${registry}/${opts.owner?.toLowerCase() ?? 'OWNER'}/${ref.components[0]!.toLowerCase()}\` (in a workflow: \`${registry}/\${{ github.repository_owner }}/${ref.components[0]!.toLowerCase()}\`, lower-cased)`,
      ],
      details: { image: raw },
    })
  }

  // Capitals: legal characters in the wrong case, so the name is salvageable.
  const upper = ref.components.map((c, i) => ({ c, i })).filter(({ c }) => c !== c.toLowerCase())
  if (upper.length > 0) {
    const parts = upper.map(({ c, i }) => `${partName(i, ref.components.length)} ${quote(c, 40)}`)
    const lowered = `${host}/${ref.components.join('/').toLowerCase()}`
    add('image-name-uppercase', {
      message: `image ${shown} has capitals in ${joinAnd(parts)}: Docker rejects it with "invalid reference format: repository name must be lowercase"; ghcr-preflight checked ${quote(lowered)} instead`,
      image: lowered,
      details: { image: lowered },
    })
  }

  const path = ref.components.join('/').toLowerCase()
  const owner = ref.components[0]?.toLowerCase() ?? ''
  if (
    opts.owner !== undefined &&
    owner !== '' &&
    host === registry &&
    owner !== opts.owner.toLowerCase()
  ) {
    add('image-owner-mismatch', {
      message: `image ${shown} is in the namespace ${quote(owner, 40)}, but this run's repository ${opts.place.repository} belongs to "${opts.owner}": the run's GITHUB_TOKEN can only push to packages of its own repository's owner`,
      image: `${host}/${path}`,
      details: {
        image: `${host}/${path}`,
        owner,
        package: ref.components.slice(1).join('/').toLowerCase(),
        repositoryOwner: opts.owner,
      },
    })
  }

  // Only a name every component of which is usable can be probed.
  const salvageable =
    fatal.every((p) => p.kind === 'bad-tag' || p.kind === 'bad-digest') &&
    ref.components.length >= 2
  if (!salvageable) return { findings }

  const image: CheckedImage = { input, name: `${host}/${path}`, registry: host, owner, path }
  if (ref.tag !== undefined && !problems.some((p) => p.kind === 'bad-tag')) image.tag = ref.tag
  if (ref.digest !== undefined && !problems.some((p) => p.kind === 'bad-digest')) {
    image.digest = ref.digest
  }
  for (const f of findings) f.image ??= image.name
  return { image, findings }
}

function invalidFacts(
  p: Exclude<ReferenceProblem, { kind: 'empty' }>,
  raw: string,
  components: string[],
  registry: string,
): FindingFacts {
  const shown = quote(raw)
  const details = { image: raw }
  switch (p.kind) {
    case 'whitespace':
      return {
        message: `image ${shown} contains whitespace, which no image name may hold`,
        fix: [
          'Remove the spaces or line breaks inside the name; give several images on separate lines or separated by commas',
        ],
        details,
      }
    case 'scheme':
      return {
        message: `image ${shown} starts with "${p.scheme}://": image references have no URL scheme`,
        fix: [`Drop \`${p.scheme}://\`: write the name as \`${registry}/OWNER/IMAGE\``],
        details,
      }
    case 'empty-component': {
      const which = partName(p.index, components.length)
      return {
        message: `image ${shown} has an empty ${which} (two slashes in a row or a trailing slash), usually an expression that was empty; the push fails with "denied: denied"`,
        fix: [
          `Make sure the expression that fills the ${which} is set in this job, e.g. \`${registry}/\${{ github.repository_owner }}/IMAGE\` (lower-cased)`,
        ],
        details,
      }
    }
    case 'illegal-component': {
      const which = partName(p.index, components.length)
      return {
        message: `image ${shown} has an invalid ${which} ${quote(p.component, 40)}: each part of a name may hold only letters, digits and the separators ".", "_", "__" or "-", and must start and end with a letter or digit`,
        fix: [`Rename the ${which} to something like ${quote(suggestComponent(p.component), 40)}`],
        details,
      }
    }
    case 'bad-host':
      return {
        message: `image ${shown} has an invalid registry host ${quote(p.host, 60)}`,
        fix: [`Write the registry as \`${registry}\``],
        details,
      }
    case 'bad-tag':
      return {
        message:
          p.tag === ''
            ? `image ${shown} ends with ":" but has no tag after it`
            : `image ${shown} has an invalid tag ${quote(p.tag, 40)}: a tag is 1 to 128 letters, digits, "_", "." or "-", and cannot start with "." or "-"`,
        fix: [
          p.tag === ''
            ? 'Remove the trailing ":" or add a tag such as `:latest`; check that the expression that builds the tag is set'
            : 'Use a tag like `v1.2.3` or `sha-abc1234` (docker/metadata-action builds valid tags for you)',
        ],
        details,
      }
    case 'bad-digest':
      return {
        message: `image ${shown} has an invalid digest ${quote(p.digest, 80)}: a digest looks like sha256: followed by 64 lower-case hex digits`,
        fix: [
          'Remove the digest (`@…`) or copy it exactly from `docker buildx imagetools inspect`',
        ],
        details,
      }
    case 'too-long':
      return {
        message: `image ${shown} is ${p.length} characters long without its tag; a name may have at most ${NAME_MAX_LENGTH}`,
        fix: ['Shorten the image name'],
        details,
      }
  }
}

function locationOf(opts: ImageCheckOptions): FindingFacts {
  const facts: FindingFacts = {}
  if (opts.file !== undefined) facts.file = opts.file
  if (opts.line !== undefined) facts.line = opts.line
  if (opts.column !== undefined) facts.column = opts.column
  return facts
}

function partName(index: number, count: number): string {
  if (index === 0) return 'owner'
  if (index === count - 1) return 'image name'
  return `path part ${index + 1}`
}

function joinAnd(items: string[]): string {
  if (items.length <= 1) return items.join('')
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`
}

/** Quotes untrusted text for a message, cut short so a huge input cannot flood the log. */
function quote(s: string, max = 120): string {
  const cut = s.length > max ? `${s.slice(0, max - 3)}...` : s
  return JSON.stringify(cut)
}

function suggestComponent(c: string): string {
  const s = c
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/[._-]{2,}/g, (m) => (m === '__' ? m : '-'))
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
  return s || 'image'
}

/** Real registries that happen to be a few letters away from ghcr.io (gcr.io is Google's). */
const KNOWN_REGISTRIES =
  /^(?:(?:[a-z0-9-]+\.)?gcr\.io|docker\.io|quay\.io|ecr\.aws|public\.ecr\.aws|mcr\.microsoft\.com|localhost)$/

/** One or two slips away from the registry (ghrc.io, gchr.io, ghcr.com), and not a real registry. */
export function isTypo(host: string, registry: string): boolean {
  if (KNOWN_REGISTRIES.test(host)) return false
  if (registry === 'ghcr.io' && /^(?:ghcr|ghrc|gchr|hgcr)\.(?:com|io|i0|oi)$/.test(host))
    return true
  return host.length >= 4 && editDistance(host, registry) <= 2
}

/** A GitHub Container registry host: ghcr.io, or an Enterprise instance's containers.<host>. */
function isGitHubRegistry(host: string): boolean {
  return host === 'ghcr.io' || host.startsWith('containers.')
}

function hostOf(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return url
  }
}

/** The Container registry of the instance the run is on (undefined for a malformed URL). */
function serverRegistry(serverUrl: string): string | undefined {
  try {
    return registryForServer(serverUrl)
  } catch {
    return undefined
  }
}
