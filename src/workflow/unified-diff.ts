// A unified diff of two texts (`git apply` / `patch -p1` read it), line by line with three lines of
// context. Myers' O(ND) algorithm: the permission fixes change a few lines of a small file.

const CONTEXT = 3

type Op = { kind: ' ' | '-' | '+'; line: string }

export function unifiedDiff(oldText: string, newText: string, path: string): string {
  if (oldText === newText) return ''
  const a = splitLines(oldText)
  const b = splitLines(newText)
  // A last line without its newline differs from the same text with one (diff(1) prints both).
  const NO_EOL = '\u0000'
  const keys = (t: { lines: string[]; endsWithNewline: boolean }) =>
    t.lines.map((l, i) => (i === t.lines.length - 1 && !t.endsWithNewline ? l + NO_EOL : l))
  const ops = diffLines(keys(a), keys(b)).map((op) => ({
    ...op,
    line: op.line.endsWith(NO_EOL) ? op.line.slice(0, -1) : op.line,
  }))
  const out = [`--- a/${path}`, `+++ b/${path}`]
  for (const hunk of hunks(ops)) {
    out.push(
      `@@ -${range(hunk.oldStart, hunk.oldCount)} +${range(hunk.newStart, hunk.newCount)} @@`,
    )
    for (const op of hunk.ops) {
      out.push(op.kind + op.line)
      const last =
        op.kind === '+' ? op.index === b.lines.length - 1 : op.index === a.lines.length - 1
      const noEol =
        op.kind === '+'
          ? last && !b.endsWithNewline
          : op.kind === '-'
            ? last && !a.endsWithNewline
            : last && (!a.endsWithNewline || !b.endsWithNewline)
      if (noEol) out.push('\\ No newline at end of file')
    }
  }
  return out.join('\n') + '\n'
}

function splitLines(text: string): { lines: string[]; endsWithNewline: boolean } {
  if (text === '') return { lines: [], endsWithNewline: true }
  const endsWithNewline = text.endsWith('\n')
  const lines = (endsWithNewline ? text.slice(0, -1) : text).split('\n')
  return { lines, endsWithNewline }
}

function range(start: number, count: number): string {
  // An empty range names the line before it (diff(1) convention).
  if (count === 0) return `${start - 1},0`
  return count === 1 ? `${start}` : `${start},${count}`
}

interface IndexedOp extends Op {
  /** Index of the line in its own text (old for ' ' and '-', new for '+'). */
  index: number
  oldIndex: number
  newIndex: number
}

/** Shortest edit script between two line arrays. */
function diffLines(a: string[], b: string[]): IndexedOp[] {
  const n = a.length
  const m = b.length
  const max = n + m
  const offset = max + 1
  const v = new Int32Array(2 * max + 3)
  const trace: Int32Array[] = []
  let found = false
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice())
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!)
          ? v[offset + k + 1]!
          : v[offset + k - 1]! + 1
      let y = x - k
      while (x < n && y < m && a[x] === b[y]) {
        x++
        y++
      }
      v[offset + k] = x
      if (x >= n && y >= m) {
        found = true
        break
      }
    }
  }
  // Walk back through the trace to recover the script.
  const ops: IndexedOp[] = []
  let x = n
  let y = m
  for (let d = trace.length - 1; d >= 0; d--) {
    const vd = trace[d]!
    const k = x - y
    const prevK = k === -d || (k !== d && vd[offset + k - 1]! < vd[offset + k + 1]!) ? k + 1 : k - 1
    const prevX = d === 0 ? 0 : vd[offset + prevK]!
    const prevY = prevX - prevK
    while (x > prevX && y > prevY) {
      x--
      y--
      ops.push({ kind: ' ', line: a[x]!, index: x, oldIndex: x, newIndex: y })
    }
    if (d > 0) {
      if (x === prevX) {
        y--
        ops.push({ kind: '+', line: b[y]!, index: y, oldIndex: x, newIndex: y })
      } else {
        x--
        ops.push({ kind: '-', line: a[x]!, index: x, oldIndex: x, newIndex: y })
      }
    }
  }
  return ops.reverse()
}

interface Hunk {
  oldStart: number
  oldCount: number
  newStart: number
  newCount: number
  ops: IndexedOp[]
}

function hunks(ops: IndexedOp[]): Hunk[] {
  const out: Hunk[] = []
  let i = 0
  while (i < ops.length) {
    while (i < ops.length && ops[i]!.kind === ' ') i++
    if (i >= ops.length) break
    const start = Math.max(0, i - CONTEXT)
    let end = i
    // Extend over changes that are close enough to share context.
    for (;;) {
      while (end < ops.length && ops[end]!.kind !== ' ') end++
      let same = 0
      while (end + same < ops.length && ops[end + same]!.kind === ' ') same++
      if (end + same < ops.length && same <= 2 * CONTEXT) {
        end += same
        continue
      }
      end = Math.min(ops.length, end + CONTEXT)
      break
    }
    const slice = ops.slice(start, end)
    const first = slice[0]!
    out.push({
      oldStart: first.oldIndex + 1,
      newStart: first.newIndex + 1,
      oldCount: slice.filter((o) => o.kind !== '+').length,
      newCount: slice.filter((o) => o.kind !== '-').length,
      ops: slice,
    })
    i = end
  }
  return out
}
