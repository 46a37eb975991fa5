// A benign workflow of a given size: the yardstick for the resource-limit properties. A hostile
// input may cost more than a real workflow of the same length, but only by a bounded factor;
// comparing with one parsed in the same test, moments apart, keeps the bound true on a machine
// loaded at 4× its cores, where any absolute time limit would fail a correct parser.

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

/** The fastest of `reps` timings of `work`: a preempted repetition only ever adds time. */
export function fastestMs(work: () => unknown, reps: number): number {
  let best = Infinity
  for (let i = 0; i < reps; i++) {
    const start = performance.now()
    work()
    best = Math.min(best, performance.now() - start)
  }
  return best
}
