// A benign workflow of a given size: the yardstick for every test that bounds what a hostile
// input costs. A hostile input may cost more than a real workflow of the same length, but only
// by a bounded factor; comparing with one parsed in the same test, interleaved with it, keeps
// the bound true on a machine loaded at 4× its cores, where any absolute time limit fails a
// correct parser (issue 11).

import { MAX_WORKFLOW_CHARS } from '../../../src/workflow/parse.js'

/**
 * How many times a benign workflow of the same size a hostile input may cost. Measured at a load
 * of 13 on 2 cores: dense flow sequences (one node per two characters, which the YAML library
 * reads in slightly worse than linear time) reach ~15×, everything else stays under 7×; the bugs
 * this guards against (nested keys stringified at every level, an expanded alias bomb, a
 * quadratic duplicate-key check) were hundreds to thousands of times over.
 */
export const COST_RATIO = 40

/** Below this size parsing costs its fixed overhead, not its length: compare with this size. */
export const FLOOR_CHARS = 16 * 1024

/** At most this many timings of a pair; the fastest of each counts. */
const REPS = 5

/** A realistic job: checkout, a build with env and a multi-line script, a push step with `with:`. */
function job(i: number): string {
  return [
    `  build-${i}:`,
    '    runs-on: ubuntu-latest',
    '    permissions:',
    '      contents: read',
    '      packages: write',
    '    env:',
    `      IMAGE: ghcr.io/acme/app-${i}`,
    '      NODE_ENV: production',
    '    steps:',
    '      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1',
    '      - name: Build',
    '        run: |',
    '          npm ci',
    `          npm run build -- --target ${i}`,
    '          docker build -t "$IMAGE:${{ github.sha }}" .',
    '      - uses: docker/login-action@dbcb813823bdd20940b903addbd779551569679f # v4.6.0',
    '        with:',
    '          registry: ghcr.io',
    '          username: ${{ github.actor }}',
    '          password: ${{ secrets.GITHUB_TOKEN }}',
    '',
  ].join('\n')
}

/** A valid workflow of exactly `chars` characters: whole jobs, then comment lines to the size. */
export function benignWorkflow(chars: number): string {
  let text = 'name: build\non:\n  push:\n    branches: [main]\njobs:\n'
  for (let i = 0; ; i++) {
    const next = job(i)
    if (text.length + next.length > chars) break
    text += next
  }
  while (text.length < chars) {
    const room = chars - text.length
    text += room === 1 ? '\n' : '#'.repeat(Math.min(79, room - 1)) + '\n'
  }
  return text
}

/** The yardstick's size for `text`: its own, at least FLOOR_CHARS, at most what a parser reads. */
export function yardstickChars(text: string): number {
  return Math.min(Math.max(text.length, FLOOR_CHARS), MAX_WORKFLOW_CHARS)
}

function timeMs(work: () => unknown): number {
  const start = performance.now()
  work()
  return performance.now() - start
}

export interface RelativeCost {
  /** Fastest timing of the hostile input and of the benign one, in ms. */
  ms: number
  benignMs: number
  /** ms / benignMs. */
  ratio: number
}

/**
 * Times `read(text)` against `read(benign text of the same size)`. Load only ever adds time, so
 * a pair over `limit` is timed again, interleaved, up to REPS times, and the fastest of each
 * counts; a slowed benign timing only loosens the bound, which the blow-ups above are far beyond.
 * `firstMs` is a timing of `read(text)` the caller already made (e.g. while measuring memory).
 */
export function costAgainstBenign(
  text: string,
  read: (text: string) => unknown,
  limit: number,
  firstMs?: number,
): RelativeCost {
  const benign = benignWorkflow(yardstickChars(text))
  let benignMs = timeMs(() => read(benign))
  let ms = firstMs ?? timeMs(() => read(text))
  for (let i = 1; i < REPS && ms > limit * benignMs; i++) {
    benignMs = Math.min(
      benignMs,
      timeMs(() => read(benign)),
    )
    ms = Math.min(
      ms,
      timeMs(() => read(text)),
    )
  }
  return { ms, benignMs, ratio: ms / benignMs }
}
