// Parses a WWW-Authenticate header (RFC 9110 §11.6.1) into its challenges. Registries quote
// values that contain commas (scope="repository:a/b:pull,push"), and a header may hold several
// challenges (fetch joins repeated headers with ", "), so a split on commas is not enough.

export interface AuthChallenge {
  /** Lower-cased scheme: 'bearer', 'basic', ... */
  scheme: string
  /** Lower-cased parameter names; values unquoted. */
  params: Record<string, string>
}

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/

export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = []
  let pos = 0
  const n = header.length

  const skip = (chars: string): void => {
    while (pos < n && chars.includes(header[pos])) pos++
  }
  const readToken = (): string => {
    const start = pos
    while (pos < n && TOKEN.test(header[pos])) pos++
    return header.slice(start, pos)
  }
  const readQuoted = (): string => {
    pos++ // opening quote
    let out = ''
    while (pos < n && header[pos] !== '"') {
      if (header[pos] === '\\' && pos + 1 < n) pos++
      out += header[pos++]
    }
    pos++ // closing quote (or end)
    return out
  }

  while (pos < n) {
    skip(' \t,')
    const scheme = readToken()
    if (!scheme) {
      pos++ // a stray character: step over it rather than loop forever
      continue
    }
    const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: {} }
    challenges.push(challenge)
    skip(' \t')
    // token68 form (e.g. "Negotiate abc=="): keep it whole, it carries no parameters we use.
    const token68 = /^[A-Za-z0-9\-._~+/]+=*(?=\s*(,|$))/.exec(header.slice(pos))
    if (token68 && !/^[^=]+=[^=]/.test(token68[0])) {
      pos += token68[0].length
      continue
    }
    for (;;) {
      const save = pos
      skip(' \t,')
      const name = readToken()
      skip(' \t')
      if (!name || header[pos] !== '=') {
        pos = save // not name=value: the next challenge starts here
        break
      }
      pos++
      skip(' \t')
      const value = header[pos] === '"' ? readQuoted() : readToken()
      challenge.params[name.toLowerCase()] = value
    }
  }
  return challenges
}
