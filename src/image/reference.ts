// Parses an image reference by the distribution reference grammar
// (github.com/distribution/reference): [host[:port]/]path[:tag][@digest].
// Tolerant: it splits whatever it is given and reports each problem separately, so the
// caller can still salvage a usable (lower-cased) name.

/** One path component: lower-case alphanumerics joined by `.`, `_`, `__` or one or more `-`. */
export const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
const PATH_COMPONENT_ANY_CASE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/i
const HOST_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/
const TAG = /^[\w][\w.-]{0,127}$/
/**
 * Digests docker accepts: the reference grammar allows any `algorithm:hex{32,}`, but
 * reference.Parse hands the digest to go-digest, which knows only these algorithms and wants
 * lower-case hex of exactly their length (`md5:…`, `SHA256:…`, `sha512:<64 hex>` are refused).
 */
const DIGEST = /^(?:sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})$/

/** Longest name (host and path, no tag) the distribution grammar allows. */
export const NAME_MAX_LENGTH = 255

export type ReferenceProblem =
  | { kind: 'empty' }
  | { kind: 'whitespace' }
  | { kind: 'scheme'; scheme: string }
  | { kind: 'empty-component'; index: number }
  | { kind: 'illegal-component'; component: string; index: number }
  | { kind: 'bad-host'; host: string }
  | { kind: 'bad-tag'; tag: string }
  | { kind: 'bad-digest'; digest: string }
  | { kind: 'too-long'; length: number }

export interface ParsedReference {
  /** Host as written (may have capitals or a port); undefined when the first component is not a host. */
  host?: string
  /** Path components after the host, as written. */
  components: string[]
  tag?: string
  digest?: string
}

/** True when the distribution grammar would read `first` as a registry host. */
export function looksLikeHost(first: string): boolean {
  return first.includes('.') || first.includes(':') || first === 'localhost'
}

/**
 * Splits a reference and lists everything wrong with it. Capitals in path components are not
 * a problem here (they are legal characters in the wrong case); the caller reports them.
 */
export function parseReference(raw: string): {
  ref: ParsedReference
  problems: ReferenceProblem[]
} {
  const problems: ReferenceProblem[] = []
  let rest = raw.trim()
  if (rest === '') return { ref: { components: [] }, problems: [{ kind: 'empty' }] }
  if (/\s/.test(rest)) problems.push({ kind: 'whitespace' })

  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(rest)
  if (scheme) {
    problems.push({ kind: 'scheme', scheme: scheme[1]! })
    rest = rest.slice(scheme[0].length)
  }

  const ref: ParsedReference = { components: [] }
  const at = rest.indexOf('@')
  if (at >= 0) {
    ref.digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
    if (!DIGEST.test(ref.digest)) problems.push({ kind: 'bad-digest', digest: ref.digest })
  }
  // A ':' after the last '/' starts the tag; one before it belongs to host:port.
  const colon = rest.lastIndexOf(':')
  if (colon > rest.lastIndexOf('/')) {
    ref.tag = rest.slice(colon + 1)
    rest = rest.slice(0, colon)
    if (!TAG.test(ref.tag)) problems.push({ kind: 'bad-tag', tag: ref.tag })
  }

  const parts = rest.split('/')
  if (parts.length > 1 && looksLikeHost(parts[0]!)) {
    ref.host = parts.shift()!
    if (!validHost(ref.host)) problems.push({ kind: 'bad-host', host: ref.host })
  }
  ref.components = parts
  parts.forEach((component, index) => {
    if (component === '') problems.push({ kind: 'empty-component', index })
    else if (!PATH_COMPONENT_ANY_CASE.test(component)) {
      problems.push({ kind: 'illegal-component', component, index })
    }
  })
  const nameLength = rest.length
  if (nameLength > NAME_MAX_LENGTH) problems.push({ kind: 'too-long', length: nameLength })
  return { ref, problems }
}

function validHost(host: string): boolean {
  const m = /^([^:]+)(?::(\d+))?$/.exec(host)
  if (!m) return false
  return m[1]!.split('.').every((label) => HOST_COMPONENT.test(label))
}
