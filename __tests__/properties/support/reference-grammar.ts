// An independent implementation of the image reference grammar, written from
// github.com/distribution/reference (regexp.go, reference.go, normalize.go) and
// github.com/opencontainers/go-digest (algorithm.go), for checking src/image against it.
//
//   reference  := name [ ":" tag ] [ "@" digest ]
//   name       := [domain '/'] path-component ['/' path-component]*
//   domain     := domain-component ['.' domain-component]* [':' port-number]
//   domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
//   path-component   := /[a-z0-9]+/ [ separator /[a-z0-9]+/ ]*   separator := /[_.]|__|[-]+/
//   tag        := /[\w][\w.-]{0,127}/
//   digest     := /[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}/
//
// reference.Parse then hands the digest to go-digest, which accepts only the registered
// algorithms with their exact lower-case hex length (sha256: 64, sha384: 96, sha512: 128), and
// rejects a repository path over 255 characters (older releases counted the domain too).
// IPv6 hosts (`[::1]:5000`) are left out: ghcr.io names never use them.

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`
const TAG = '[\\w][\\w.-]{0,127}'
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}'

function pathComponent(anyCase: boolean): string {
  const alnum = anyCase ? '[a-zA-Z0-9]+' : '[a-z0-9]+'
  return `${alnum}(?:(?:[_.]|__|-+)${alnum})*`
}

/** Only to cut a string into name, tag and digest; the parts are then checked one by one. */
const SHAPE = new RegExp(`^((?:[^:@/]*(?::[0-9]+)?/)?[^:@]*)(?::(${TAG}))?(?:@(${DIGEST}))?$`)
const ANCHORED_DOMAIN = new RegExp(`^${DOMAIN}$`)
const COMPONENT = new RegExp(`^${pathComponent(false)}$`)
const COMPONENT_ANY_CASE = new RegExp(`^${pathComponent(true)}$`)

const REGISTERED_DIGESTS: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 }

export interface GrammarVerdict {
  /** The reference parses, digest included. */
  valid: boolean
  /** The path may hold capitals (reported separately as a case problem). */
  validIgnoringPathCase: boolean
  /**
   * Only the length rule decides and the releases disagree: the path is within 255 characters
   * but domain and path together are not.
   */
  lengthAmbiguous: boolean
  /** The first component is a registry host by the normaliser's rule (`.`, `:` or localhost). */
  domain?: string
  /** Path components after the domain, as written. */
  path: string[]
  tag?: string
  digest?: string
}

function digestOk(digest: string | undefined): boolean {
  if (digest === undefined) return true
  const [algorithm, hex] = digest.split(':') as [string, string]
  const length = REGISTERED_DIGESTS[algorithm]
  return length !== undefined && hex.length === length && /^[a-f0-9]+$/.test(hex)
}

/**
 * Splits the name the way docker's normaliser does (splitDockerDomain): the first component is a
 * domain when it holds `.` or `:` or is `localhost`. The normaliser also takes a first component
 * with capitals as a domain; this model does not, because for a ghcr.io check such a name is a
 * capitalised owner (`Acme/app`), and src/image reports it as capitals with a missing host.
 */
function split(name: string): { domain?: string; path: string[] } {
  const parts = name.split('/')
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0]!)) {
    return { domain: parts[0]!, path: parts.slice(1) }
  }
  return { path: parts }
}

export function judgeReference(s: string): GrammarVerdict {
  const m = SHAPE.exec(s)
  const invalid = { valid: false, validIgnoringPathCase: false, lengthAmbiguous: false, path: [] }
  if (!m) return invalid
  const name = m[1]!
  const { domain, path } = split(name)
  const pathText = path.join('/')
  const digest = m[3]
  const partsOk =
    (domain === undefined || ANCHORED_DOMAIN.test(domain)) &&
    path.every((c) => COMPONENT_ANY_CASE.test(c)) &&
    digestOk(digest)
  const verdict: GrammarVerdict = {
    valid: partsOk && pathText.length <= 255 && path.every((c) => COMPONENT.test(c)),
    validIgnoringPathCase: partsOk && pathText.length <= 255,
    lengthAmbiguous: partsOk && pathText.length <= 255 && name.length > 255,
    path,
  }
  if (domain !== undefined) verdict.domain = domain
  if (m[2] !== undefined) verdict.tag = m[2]
  if (digest !== undefined) verdict.digest = digest
  return verdict
}
