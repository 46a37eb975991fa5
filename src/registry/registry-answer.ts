// Reads a registry's error answer ({"errors":[{"code","message"}]}, distribution spec) and
// decides whether an answer is registry-shaped at all: an HTML page from a proxy or a captive
// portal must never be read as "denied".

export interface RegistryError {
  code?: string
  message?: string
}

const MAX_MESSAGE_CHARS = 300

/** errors[0] of a registry error body, or undefined when the body is not one. */
export function parseRegistryError(body: string): RegistryError | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return undefined
  }
  const errors = (parsed as { errors?: unknown } | null)?.errors
  if (!Array.isArray(errors) || errors.length === 0) return undefined
  const first = errors[0] as { code?: unknown; message?: unknown } | null
  if (first === null || typeof first !== 'object') return undefined
  const out: RegistryError = {}
  if (typeof first.code === 'string') out.code = first.code
  if (typeof first.message === 'string') out.message = first.message
  return out.code === undefined && out.message === undefined ? undefined : out
}

export function looksLikeHtml(headers: Record<string, string>, body: string): boolean {
  return /text\/html/i.test(headers['content-type'] ?? '') || /^\s*</.test(body)
}

/**
 * A registry message made safe to show: no secret (token, password, their base64 forms),
 * no control characters, one line, at most 300 characters.
 */
export function sanitiseMessage(message: string, secrets: readonly string[]): string {
  const oneLine = (text: string): string =>
    Array.from(text, (ch) =>
      ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f ? ' ' : ch,
    ).join('')
  let out = oneLine(message)
  // Longest first, so a secret inside another (password inside its base64 form) cannot survive;
  // repeat until nothing matches, since a replacement could complete a new occurrence (each
  // replacement shrinks the text, so this ends).
  const masks = secrets.map(oneLine).filter((s) => s.length >= 4)
  masks.sort((a, b) => b.length - a.length)
  while (masks.some((secret) => out.includes(secret))) {
    for (const secret of masks) out = out.split(secret).join('***')
  }
  out = out.trim()
  return out.length > MAX_MESSAGE_CHARS ? `${out.slice(0, MAX_MESSAGE_CHARS - 1)}…` : out
}
