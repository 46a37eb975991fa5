// A cheap upper bound on how deeply a YAML text nests, checked before the YAML parser sees it.
// The parser recurses once per level: near 1,000 levels it runs out of stack (slowly, and close
// enough to the limit that V8 can abort the whole process while compiling a regular expression),
// and a 100 KB run of `{a: ` already takes it half a second. Real workflows nest a few dozen levels.

/** Deepest nesting (flow brackets plus indentation columns) a workflow file may have. */
export const MAX_NESTING = 400

/**
 * The first place where the nesting bound goes over `limit`, or undefined. The bound over-counts
 * on purpose (indentation columns rather than levels; brackets in plain scalars), so it never
 * misses deep nesting; `limit` is high enough that no real workflow comes near it.
 */
export function nestingOver(text: string, limit = MAX_NESTING): { offset: number } | undefined {
  let flow = 0
  let indent = 0
  let lineStart = true
  let quote = ''
  let comment = false
  let prev = '\n'
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === '\n') {
      // Quoted scalars may span lines, but a quote left open by a script line must not hide the rest.
      quote = ''
      comment = false
      lineStart = true
      indent = 0
      prev = c
      continue
    }
    if (comment) continue
    if (quote) {
      if (quote === '"' && c === '\\') i++
      else if (c === quote) quote = ''
      prev = c
      continue
    }
    if (lineStart) {
      // Indentation and compact block indicators (`- - x`, `? ? x`) each open a level at most.
      if (c === ' ' || ((c === '-' || c === '?' || c === ':') && text[i + 1] === ' ')) {
        indent++
        prev = c
        continue
      }
      lineStart = false
      if (flow + indent > limit) return { offset: i }
    }
    if (c === '#' && (prev === ' ' || prev === '\t' || prev === '\n')) comment = true
    else if ((c === '"' || c === "'") && /[\s[{,:]/.test(prev)) quote = c
    else if (c === '[' || c === '{') {
      flow++
      if (flow + indent > limit) return { offset: i }
    } else if (c === ']' || c === '}') flow = Math.max(0, flow - 1)
    prev = c
  }
  return undefined
}
