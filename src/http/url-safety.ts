// URL rules shared by the HTTP client and the registry probe (contracts §4): which URLs may be
// called at all, which origins count as "the same", and how a URL may appear in a message.

/** True for 127.0.0.0/8, ::1 and localhost: the only hosts plain http:// may reach. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '')
  if (host === 'localhost' || host.endsWith('.localhost')) return true
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true
  // WHATWG URL parsing already normalised any IPv4 spelling (0x7f.1, 2130706433) to dotted quad.
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

/** Why this URL may not be called, or undefined when it may. */
export function urlProblem(url: URL): string | undefined {
  if (url.username || url.password) return 'the URL embeds credentials'
  if (url.protocol === 'https:') return undefined
  if (url.protocol === 'http:') {
    return isLoopbackHost(url.hostname)
      ? undefined
      : `plain http:// is allowed only for loopback addresses, not ${url.host}`
  }
  return `only https:// URLs are allowed, not ${url.protocol}`
}

/** The form a URL may take in a message or error: no credentials, no query, no fragment. */
export function redactUrl(url: string | URL): string {
  try {
    const u = typeof url === 'string' ? new URL(url) : url
    return `${u.protocol}//${u.host}${u.pathname}`
  } catch {
    return '(invalid URL)'
  }
}

export function sameOrigin(a: URL, b: URL): boolean {
  return a.origin === b.origin
}
