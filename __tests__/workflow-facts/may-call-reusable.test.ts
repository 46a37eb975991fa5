// The run's ceiling check parses only the repository's workflows that may call a reusable
// workflow (src/workflow-facts.ts): a file it skips must be one that cannot. Each case is a
// shape GitHub accepts for a job-level `uses:`; the negatives are the other places the folder's
// name or a `*` turns up in real workflows.

import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseDocument } from 'yaml'
import { mayCallReusableWorkflow } from '../../src/workflow-facts.js'

const calls: [string, string][] = [
  ['plain local call', 'jobs:\n  build:\n    uses: ./.github/workflows/build.yml\n'],
  ['quoted', 'jobs:\n  build:\n    uses: "./.github/workflows/build.yml"\n'],
  ['single-quoted key and value', "jobs:\n  build:\n    'uses': './.github/workflows/b.yaml'\n"],
  ['another repository', 'jobs:\n  push:\n    uses: acme/infra/.github/workflows/push.yml@v2\n'],
  ['flow map', 'jobs: {build: {uses: ./.github/workflows/build.yml, secrets: inherit}}\n'],
  [
    'through an alias',
    'x: &callee ./.github/workflows/build.yml\njobs:\n  build:\n    uses: *callee\n',
  ],
  ['alias in a flow map', 'x: &c ./.github/workflows/build.yml\njobs: {build: {uses: *c}}\n'],
]

const none: [string, string][] = [
  ['no mention at all', 'jobs:\n  build:\n    steps:\n      - uses: actions/checkout@v5\n'],
  [
    'a paths filter naming the file',
    "on:\n  push:\n    paths: ['.github/workflows/ci.yml', 'src/**']\njobs:\n  a:\n    steps:\n      - run: make\n",
  ],
  [
    'a comment and a cron schedule',
    "# copied from .github/workflows/release.yml\non:\n  schedule:\n    - cron: '0 */6 * * *'\njobs: {}\n",
  ],
  [
    'a step running a script in the folder',
    'jobs:\n  a:\n    steps:\n      - run: ./.github/workflows/scripts/tag.sh *.txt\n',
  ],
]

describe('mayCallReusableWorkflow', () => {
  it.each(calls)('%s: may call', (_, text) => {
    // The fixture is a file GitHub would load, and its job does call a workflow.
    const uses = JSON.stringify(parseDocument(text).toJS())
    expect(uses).toMatch(/"uses":"[^"]*\.github\/workflows\//)
    expect(mayCallReusableWorkflow(text)).toBe(true)
  })

  it.each(none)('%s: cannot call', (_, text) => {
    expect(JSON.stringify(parseDocument(text).toJS())).not.toMatch(
      /"uses":"[^"]*\.github\/workflows\//,
    )
    expect(mayCallReusableWorkflow(text)).toBe(false)
  })
})

/** Every workflow file of the real-pattern corpus (corpus/workflows/, cases with folders too). */
function corpusFiles(dir = join(process.cwd(), 'corpus', 'workflows')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return corpusFiles(path)
    return /\.ya?ml$/.test(e.name) && path.includes('workflows') ? [path] : []
  })
}

it('never skips a corpus file with a job that calls a workflow', () => {
  let callers = 0
  for (const path of corpusFiles()) {
    const text = readFileSync(path, 'utf8')
    const doc = parseDocument(text, { merge: true })
    const jobs = (doc.toJS({ maxAliasCount: 100 }) as { jobs?: unknown } | null)?.jobs
    if (!jobs || typeof jobs !== 'object') continue
    const calling = Object.values(jobs).some(
      (job) =>
        typeof (job as { uses?: unknown })?.uses === 'string' &&
        (job as { uses: string }).uses.includes('.github/workflows/'),
    )
    if (!calling) continue
    callers++
    expect({ path, may: mayCallReusableWorkflow(text) }).toEqual({ path, may: true })
  }
  // The corpus has callers (030–039 and others): the check above is not vacuous.
  expect(callers).toBeGreaterThanOrEqual(10)
})
