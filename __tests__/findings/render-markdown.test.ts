import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { CATALOGUE } from '../../src/findings/catalogue.js'
import { renderFindingsMarkdown } from '../../src/findings/render-markdown.js'
import { FINDING_IDS } from '../../src/findings/types.js'

const md = renderFindingsMarkdown()

describe('renderFindingsMarkdown', () => {
  it('has an index row and a section for every id', () => {
    for (const id of FINDING_IDS) {
      expect(md).toContain(`| [\`${id}\`](#${id}) | ${CATALOGUE[id].severity} |`)
      expect(md).toContain(`\n## \`${id}\`\n`)
    }
  })

  it('renders fix steps as a numbered list with code blocks under the item', () => {
    const section = md.slice(
      md.indexOf('## `packages-permission-missing`'),
      md.indexOf('## `packages-permission-undeclared`'),
    )
    expect(section).toContain('1. Under `jobs.JOB:` add')
    expect(section).toContain(
      '   ```\n   permissions:\n     contents: read\n     packages: write # push to ghcr.io\n   ```',
    )
    expect(section).toContain('<https://github.com/OWNER/REPO/settings/actions>')
    expect(section).toContain('[Workflow syntax: permissions](https://docs.github.com/')
  })

  it('escapes placeholders that Markdown would eat as HTML', () => {
    expect(md).not.toMatch(/[^\\`]<(job|reusable workflow)>/)
  })
})

describe('docs/findings.md', () => {
  it('is the current render of the catalogue', () => {
    const onDisk = readFileSync(new URL('../../docs/findings.md', import.meta.url), 'utf8')
    const state = onDisk === md ? 'current' : 'run `npm run build` to regenerate docs/findings.md'
    expect(state).toBe('current')
  })
})
