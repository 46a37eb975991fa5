// Just enough shell to read `run:` scripts: simple commands with their line in the script, words
// with quotes removed, and the pipeline a command sits in (for `echo $TOKEN | docker login …`).

const EXPRESSION = /\$\{\{[\s\S]*?\}\}/g

export interface ShellCommand {
  /** The command's words, quotes removed; `${{ … }}` kept whole. */
  words: string[]
  /** The command's text as written (continuations joined). */
  text: string
  /** The whole pipeline/list line the command is part of (for tokens piped into a login). */
  line: string
  /** Index of the command in the script, in order. */
  index: number
}

/** Splits a script into simple commands: joins `\` continuations, splits on newlines, ;, &&, ||, |. */
export function shellCommands(script: string): ShellCommand[] {
  // `${{ a || b }}` must not be split: mask expressions, split, then put them back.
  const saved: string[] = []
  const masked = script.replace(EXPRESSION, (m) => `\uE001${saved.push(m) - 1}\uE001`)
  const restore = (t: string) =>
    t.replace(/\uE001(\d+)\uE001/g, (_, i: string) => saved[Number(i)]!)
  const joined = masked.replace(/\\\r?\n/g, ' ')
  const out: ShellCommand[] = []
  const emit = (code: string, line: string, depth: number) => {
    for (const part of splitOutsideQuotes(code)) {
      // `$(…)` runs first, as commands of their own; the word keeps it whole.
      if (depth < 4) for (const inner of substitutions(part)) emit(inner, line, depth + 1)
      const text = restore(part.trim())
      if (!text) continue
      out.push({ words: words(text), text, line, index: out.length })
    }
  }
  for (const rawLine of joined.split(/\r?\n/)) {
    const code = stripComment(rawLine)
    if (!code.trim()) continue
    emit(code, restore(code.trim()), 0)
  }
  return out
}

/** The index of the `)` closing the `(` at `open`, outside quotes; the text's end if none. */
function closing(text: string, open: number): number {
  let depth = 0
  let quote = ''
  for (let i = open; i < text.length; i++) {
    const c = text[i]!
    if (quote) {
      if (c === quote) quote = ''
      else if (c === '\\' && quote === '"') i++
    } else if (c === '"' || c === "'") quote = c
    else if (c === '(') depth++
    else if (c === ')' && --depth === 0) return i
  }
  return text.length
}

/** The scripts of the top-level `$(…)` substitutions of a command, outside single quotes. */
function substitutions(part: string): string[] {
  const out: string[] = []
  let single = false
  for (let i = 0; i < part.length; i++) {
    const c = part[i]!
    if (c === "'") single = !single
    else if (!single && c === '$' && part[i + 1] === '(' && part[i + 2] !== '(') {
      const end = closing(part, i + 1)
      out.push(part.slice(i + 2, end))
      i = end
    }
  }
  return out
}

/** Drops a `# comment` that starts a word, outside quotes. */
function stripComment(line: string): string {
  let quote = ''
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (quote) {
      if (c === quote) quote = ''
      else if (c === '\\' && quote === '"') i++
    } else if (c === '"' || c === "'") quote = c
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i)
  }
  return line
}

/** Splits on ;, &&, ||, | (and a lone &) outside quotes. */
function splitOutsideQuotes(line: string): string[] {
  const out: string[] = []
  let cur = ''
  let quote = ''
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (quote) {
      cur += c
      if (c === quote) quote = ''
      else if (c === '\\' && quote === '"' && i + 1 < line.length) cur += line[++i]
      continue
    }
    if (c === '"' || c === "'") {
      quote = c
      cur += c
    } else if (c === '$' && line[i + 1] === '(') {
      // A command substitution is part of the word it sits in, not a separator.
      const end = closing(line, i + 1)
      cur += line.slice(i, end + 1)
      i = end
    } else if (c === '&' && (line[i - 1] === '>' || line[i + 1] === '>')) {
      cur += c // a redirection (`2>&1`, `&>file`), not a separator
    } else if (c === ';' || c === '|' || c === '&' || c === '(' || c === ')') {
      out.push(cur)
      cur = ''
      if ((c === '|' || c === '&') && line[i + 1] === c) i++
    } else cur += c
  }
  out.push(cur)
  return out
}

/** Whitespace split that keeps quoted text and `${{ … }}` together and drops the quotes. */
export function words(segment: string): string[] {
  const out: string[] = []
  let skipNext = false
  for (const m of segment.matchAll(
    /(?:"[^"]*"|'[^']*'|\$\{\{[\s\S]*?\}\}|\$\((?:[^()"']|"[^"]*"|'[^']*'|\([^()]*\))*\)|[^\s"'])+/g,
  )) {
    const w = m[0]
    if (skipNext) {
      skipNext = false
      continue
    }
    // Redirections are not arguments: `2>&1`, `>/dev/null`, `> out.txt`, `&>log`.
    if (/^(\d*|&)[<>]/.test(w)) {
      skipNext = /^(\d*|&)[<>]{1,2}$/.test(w)
      continue
    }
    out.push(w.replace(/"([^"]*)"|'([^']*)'/g, (_, a?: string, b?: string) => a ?? b ?? ''))
  }
  return out
}

/**
 * The words that name the command: leading `sudo`, `env`, `time`, `exec`, `VAR=value`
 * assignments (also after `export`, `local`, `readonly`), `if`/`then`/`do` keywords, `xargs` with
 * its options and `$(`/backticks are skipped. Returns the assignments seen
 * (`KO_DOCKER_REPO=ghcr.io/x ko build`) and the rest.
 */
export function commandWords(all: string[]): { assignments: Map<string, string>; words: string[] } {
  const assignments = new Map<string, string>()
  let i = 0
  while (i < all.length) {
    const w = all[i]!
    const assign = /^([A-Za-z_]\w*)=(.*)$/.exec(w)
    if (assign) assignments.set(assign[1]!, assign[2]!)
    else if (
      !/^(sudo|env|time|exec|nohup|if|then|else|elif|do|while|until|!|\{|export|local|readonly|run|retry)$/.test(
        w,
      )
    ) {
      break
    }
    i++
  }
  // `sudo -E docker push`: skip sudo's options too.
  const rest = all.slice(i)
  while (rest.length > 1 && /^-/.test(rest[0]!) && i > 0 && all[i - 1] === 'sudo') rest.shift()
  // `… | xargs -I{} docker buildx imagetools create …`: xargs runs the command after its options.
  if (rest[0] === 'xargs' && rest.length > 1) {
    rest.shift()
    let replace: string | undefined
    while (rest.length > 1 && /^-/.test(rest[0]!)) {
      const w: string = rest[0]!
      if (w === '-I') replace = rest[1]
      else if (/^-I./.test(w)) replace = w.slice(2)
      else if (w === '-i' || w === '--replace') replace = '{}'
      else if (/^-i./.test(w)) replace = w.slice(2)
      else if (w.startsWith('--replace=')) replace = w.slice('--replace='.length)
      const valued = /^(-[InLPdEsa]|--(max-args|max-lines|max-procs|delimiter|arg-file))$/
      rest.splice(0, valued.test(w) ? 2 : 1)
    }
    // The replace string stands for each line xargs reads (`xargs -I {} cosign sign {}@$DIGEST`
    // in GitHub's own docker-publish.yml starter): a value the file does not show, like a
    // variable, never the literal name "{}".
    if (replace) {
      for (let k = 0; k < rest.length; k++) rest[k] = rest[k]!.split(replace).join('${XARGS_ITEM}')
    }
  }
  // A backtick or a parenthesis left over from a substitution split elsewhere is not part of a name.
  const trim = (w: string) =>
    w.includes('$(') && w.includes(')') ? w : w.replace(/^\$\(|^`|`$|\)$/g, '')
  return { assignments, words: rest.map(trim) }
}

/** Positional arguments after `skip` words, leaving out options and the values of `valued` options. */
export function positionals(ws: string[], skip: number, valued: RegExp = NO_VALUED): string[] {
  const out: string[] = []
  for (let i = skip; i < ws.length; i++) {
    const w = ws[i]!
    if (w === '--') {
      out.push(...ws.slice(i + 1))
      break
    }
    if (w.startsWith('-') && w.length > 1) {
      if (!w.includes('=') && valued.test(w)) i++
      continue
    }
    out.push(w)
  }
  return out
}

const NO_VALUED = /^$/

/** Values of an option given as `-t X`, `--tag X`, `--tag=X` or `-tX` (short form only for one-letter names). */
export function optionValues(ws: string[], names: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i]!
    for (const n of names) {
      if (w === n && ws[i + 1] !== undefined) out.push(ws[i + 1]!)
      else if (n.startsWith('--') && w.startsWith(`${n}=`)) out.push(w.slice(n.length + 1))
      else if (/^-\w$/.test(n) && w.startsWith(n) && w.length > 2 && w[2] !== '-') {
        out.push(w.slice(2).replace(/^=/, ''))
      }
    }
  }
  return out
}
