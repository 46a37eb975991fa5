// The README's "What it checks" table names every finding the catalogue can emit, so a new
// finding cannot ship undocumented (issue 11 found five missing).

import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FINDING_IDS } from '../../src/findings/types.js'

const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8')
const section = readme.slice(
  readme.indexOf('## What it checks'),
  readme.indexOf('\n## ', readme.indexOf('## What it checks') + 1),
)
const rows = section.split('\n').filter((l) => l.startsWith('|'))
/** Which column holds the finding ids, from the header row. */
const findingColumn = (rows[0] ?? '').split('|').findIndex((c) => c.trim() === 'finding')
/** The ids each row names: the code spans of its "finding" column. */
const tableIds = new Set(
  rows
    .slice(2)
    .flatMap((l) =>
      [...(l.split('|')[findingColumn] ?? '').matchAll(/`([a-z]+(?:-[a-z]+)+)`/g)].map(
        (m) => m[1]!,
      ),
    ),
)

describe('README: What it checks', () => {
  it('has the table', () => {
    expect(findingColumn).toBeGreaterThan(0)
  })

  it.each([...FINDING_IDS])('lists %s in the finding column', (id) => {
    expect(tableIds.has(id)).toBe(true)
  })

  it('lists no id the catalogue does not have', () => {
    expect([...tableIds].filter((id) => !(FINDING_IDS as readonly string[]).includes(id))).toEqual(
      [],
    )
  })
})
