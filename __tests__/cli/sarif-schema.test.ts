import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { Ajv } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { ROOT, runCli } from './run-cli.js'

// ajv-formats is CommonJS: its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as (ajv: Ajv) => Ajv

// The shipped schema declares draft-04, which ajv 8 does not bundle. Its keywords are the
// draft-07 subset (no boolean exclusiveMinimum), so it is compiled as draft-07: the root `id`
// becomes `$id` and the `$schema` line is dropped.
const {
  $schema: _draft04,
  id,
  ...schemaBody
} = JSON.parse(
  readFileSync(
    join(ROOT, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'),
    'utf8',
  ),
) as Record<string, unknown>
const schema: Record<string, unknown> = { $id: id as string, ...schemaBody }

describe('SARIF output', () => {
  // unicodeRegExp: false because the schema's language pattern has a stray `]` that only non-unicode regexps accept.
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false })
  addFormats(ajv)
  const validate = ajv.compile(schema)

  it.each([
    ['examples'],
    ['__tests__/fixtures/workflows'],
    ['examples/.github/workflows/good.yml'],
  ])('lint %s validates against the SARIF 2.1.0 schema', (path) => {
    const r = runCli(['lint', path, '--format', 'sarif', '--repository', 'acme/app'])
    const sarif = JSON.parse(r.stdout) as {
      version: string
      runs: Array<{
        tool: { driver: { rules: Array<{ id: string; helpUri: string }> } }
        results: Array<Record<string, unknown>>
      }>
    }
    const ok = validate(sarif)
    expect(validate.errors ?? []).toEqual([])
    expect(ok).toBe(true)
    expect(sarif.version).toBe('2.1.0')
    const run = sarif.runs[0]!
    const ruleIds = run.tool.driver.rules.map((rule) => rule.id)
    for (const result of run.results) {
      expect(ruleIds).toContain(result.ruleId)
      expect(run.tool.driver.rules[result.ruleIndex as number]!.id).toBe(result.ruleId)
      const loc = (
        result.locations as Array<{
          physicalLocation: {
            artifactLocation: { uri: string; uriBaseId: string }
            region: { startLine: number }
          }
        }>
      )[0]!
      expect(loc.physicalLocation.artifactLocation.uriBaseId).toBe('%SRCROOT%')
      expect(loc.physicalLocation.artifactLocation.uri).not.toMatch(/^\//)
      expect(loc.physicalLocation.region.startLine).toBeGreaterThanOrEqual(1)
    }
    for (const rule of run.tool.driver.rules)
      expect(rule.helpUri).toMatch(/^https:\/\/github\.com\/craigedmunds\/ghcr-preflight\//)
  })

  it('a repository linted from a sub-folder: valid, every uri (related ones too) repository-relative', () => {
    const root = mkdtempSync(join(tmpdir(), 'ghcr-preflight-sarif-'))
    mkdirSync(join(root, '.git'))
    mkdirSync(join(root, '.github', 'workflows'), { recursive: true })
    mkdirSync(join(root, 'deploy', 'charts'), { recursive: true })
    writeFileSync(
      join(root, '.github', 'workflows', 'release.yml'),
      [
        'on: push',
        'jobs:',
        '  chart:',
        '    steps:',
        '      - run: echo "${{ github.token }}" | helm registry login ghcr.io -u x --password-stdin',
        '      - run: helm push chart.tgz oci://ghcr.io/acme/charts',
        '  call:',
        '    permissions: { contents: read }',
        '    uses: ./.github/workflows/publish.yml',
        '',
      ].join('\n'),
    )
    writeFileSync(
      join(root, '.github', 'workflows', 'publish.yml'),
      'on: workflow_call\njobs:\n  p:\n    steps:\n      - run: docker push ghcr.io/acme/app:1\n',
    )
    const r = runCli(['lint', '--format', 'sarif'], { cwd: join(root, 'deploy', 'charts') })
    expect(r.stderr).toBe('')
    const sarif = JSON.parse(r.stdout) as {
      runs: Array<{ results: Array<Record<string, unknown>> }>
    }
    expect(validate(sarif)).toBe(true)
    expect(validate.errors ?? []).toEqual([])
    type Loc = { physicalLocation: { artifactLocation: { uri: string } } }
    const results = sarif.runs[0]!.results
    const related = results.flatMap((x) => (x.relatedLocations as Loc[] | undefined) ?? [])
    expect(related.length).toBeGreaterThan(0)
    for (const loc of [...results.flatMap((x) => x.locations as Loc[]), ...related]) {
      expect(loc.physicalLocation.artifactLocation.uri).toMatch(
        /^\.github\/workflows\/(release|publish)\.yml$/,
      )
    }
  })

  it('the validator rejects a result with an unknown level (so the checks above can fail)', () => {
    const r = runCli(['lint', 'examples', '--format', 'sarif'])
    const sarif = JSON.parse(r.stdout) as { runs: Array<{ results: Array<{ level: string }> }> }
    sarif.runs[0]!.results[0]!.level = 'fatal'
    expect(validate(sarif)).toBe(false)
  })

  it('maps severities to SARIF levels', () => {
    const r = runCli(['lint', 'examples', '--format', 'sarif'])
    const levels = new Set(
      (
        JSON.parse(r.stdout) as { runs: Array<{ results: Array<{ level: string }> }> }
      ).runs[0]!.results.map((x) => x.level),
    )
    expect([...levels].sort()).toEqual(['error', 'note', 'warning'])
  })
})
