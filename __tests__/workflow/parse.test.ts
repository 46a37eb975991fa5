import { describe, expect, it } from '@jest/globals'
import { MAX_WORKFLOW_CHARS, parseWorkflow } from '../../src/workflow/parse.js'
import { costAgainstBenign, COST_RATIO } from '../properties/support/benign-workflow.js'
import { at, fixture, model } from './helpers.js'

const read = (text: string) => parseWorkflow(text, 'f.yml')

describe('parseWorkflow: positions', () => {
  const text = fixture('job-blocks.yml')
  const wf = model('job-blocks.yml')

  it('records the workflow permissions key and its scopes with 1-based positions', () => {
    expect(wf.permissions?.key).toEqual(at(text, 'permissions:'))
    expect(wf.permissions?.scopes.get('packages')?.key).toEqual(
      at(text, 'packages: write', 'permissions:'),
    )
    expect(wf.permissions?.scopes.get('packages')?.valuePos).toEqual(
      at(text, 'write', 'permissions:'),
    )
  })

  it.each([
    ['lists-others', '  lists-others:'],
    ['pk-read', '  pk-read:'],
    ['quoted', '  quoted:'],
  ])('job %s: key position', (id, needle) => {
    const job = wf.jobs.find((j) => j.id === id)!
    const p = at(text, needle)
    expect(job.pos).toEqual({ line: p.line, column: p.column + 2 })
  })

  it('resolves quoted keys and values', () => {
    const quoted = wf.jobs.find((j) => j.id === 'quoted')!
    expect(quoted.permissions?.scopes.get('packages')?.value).toBe('write')
    expect(quoted.permissions?.key).toEqual(at(text, '"permissions"', '  quoted:'))
    const flow = wf.jobs.find((j) => j.id === 'quoted-read')!
    expect(flow.permissions?.raw).toBe('{ contents: read, packages: read }')
    expect(flow.permissions?.scopes.get('packages')?.key).toEqual(
      at(text, "'packages'", 'quoted-read'),
    )
  })

  it('reads triggers in their three shapes', () => {
    expect(model('no-blocks.yml').on).toMatchObject({ events: ['push'], workflowCall: false })
    expect(model('workflow-level.yml').on.events).toEqual(['push', 'workflow_dispatch'])
    expect(model('reusable-only.yml').on).toMatchObject({
      events: ['workflow_call'],
      workflowCall: true,
      workflowCallOnly: true,
    })
  })

  it('resolves aliases to their anchors and remembers where the anchor is', () => {
    const anchors = fixture('anchors.yml')
    const wfa = model('anchors.yml')
    const a = wfa.jobs.find((j) => j.id === 'a')!
    expect(a.permissions?.scopes.get('packages')?.value).toBe('write')
    expect(a.permissions?.key).toEqual(at(anchors, 'permissions: *write'))
    expect(a.permissions?.alias).toEqual({ anchor: 'write', at: at(anchors, 'contents: read') })
    const c = wfa.jobs.find((j) => j.id === 'c')!
    expect(c.steps[0]?.uses?.value).toBe('craigedmunds/ghcr-preflight@v1')
    expect(c.steps[0]?.pos).toEqual(at(anchors, 'uses: craigedmunds'))
  })

  it('reads steps: uses, with, run, name and id with positions', () => {
    const p = fixture('pushers.yml')
    const wfp = model('pushers.yml')
    const meta = wfp.jobs.find((j) => j.id === 'build-push-metadata')!
    expect(meta.steps[0]).toMatchObject({ id: 'meta', index: 0 })
    expect(meta.steps[0]?.uses).toMatchObject({
      value: 'docker/metadata-action@v5',
      ...at(p, 'docker/metadata-action@v5'),
    })
    const images = meta.steps[0]?.with.get('images')
    expect(images?.key).toEqual(at(p, 'images:', 'build-push-metadata'))
    expect(images?.value.value).toBe('name=ghcr.io/acme/meta,enable=true\n')
    const push = wfp.jobs.find((j) => j.id === 'docker-push')!
    expect(push.steps[0]?.run?.value).toContain('docker push ghcr.io/acme/cli:1')
    expect(wfp.env.get('REGISTRY')).toBe('ghcr.io')
  })

  it('reads reusable-workflow calls: uses, with and secrets', () => {
    const c = fixture('reusable-caller.yml')
    const wfc = model('reusable-caller.yml')
    const job = wfc.jobs.find((j) => j.id === 'grants-read')!
    expect(job.uses).toMatchObject({
      value: './.github/workflows/reusable-callee.yml',
      ...at(c, './.github/workflows/reusable-callee.yml'),
    })
    const examples = parseWorkflow(
      'on: push\njobs:\n  x:\n    uses: o/r/.github/workflows/a.yml@v1\n    with: { image: foo }\n    secrets: inherit\n  y:\n    uses: ./a.yml\n    secrets:\n      GHCR_TOKEN: ${{ secrets.X }}\n',
      'x.yml',
    )
    expect(examples.ok).toBe(true)
    if (!examples.ok) return
    expect(examples.workflow.jobs[0]?.with.get('image')?.value).toBe('foo')
    expect(examples.workflow.jobs[0]?.secrets).toBe('inherit')
    expect(examples.workflow.jobs[1]?.secrets).toEqual(
      new Map([['GHCR_TOKEN', '${{ secrets.X }}']]),
    )
  })
})

describe('parseWorkflow: unreadable input never throws', () => {
  it.each([
    ['malformed YAML', fixture('malformed.yml'), /^not valid YAML: /, 5],
    [
      'duplicate keys',
      'on: push\non: pull_request\n',
      /^not valid YAML: Map keys must be unique/,
      2,
    ],
    ['a list', '- a\n- b\n', /^a list, not a workflow/, undefined],
    ['a scalar', 'hello\n', /^a single value, not a workflow/, undefined],
    ['empty', '', /^empty, not a workflow/, undefined],
    ['only a comment', '# nothing\n', /^empty, not a workflow/, undefined],
    ['unresolved alias', 'on: push\njobs: *nope\n', /^not valid YAML: .*nope/, undefined],
    ['two documents', 'on: push\n---\non: pull\n', /^not valid YAML: /, 2],
    ['alias bomb', fixture('alias-bomb.yml'), /alias bomb/, undefined],
    ['deep nesting', '['.repeat(20000), /^nested more than 400 levels deep/, 1],
    [
      'over the size cap',
      `on: push\n#${'x'.repeat(MAX_WORKFLOW_CHARS)}\n`,
      /over the \d+-character limit/,
      undefined,
    ],
  ])('%s', (_name, text, message, line) => {
    const result = parseWorkflow(text, 'f.yml')
    // Bounded cost, relative to a benign workflow of the same size (load-proof, unlike a limit in ms).
    expect(costAgainstBenign(text, read, COST_RATIO).ratio).toBeLessThanOrEqual(COST_RATIO)
    expect(result).toMatchObject({
      ok: false,
      file: 'f.yml',
      message: expect.stringMatching(message),
    })
    // Rows without a line only say the message; rows with one pin it.
    const reported = line === undefined ? undefined : (result as { line?: number }).line
    expect(reported).toBe(line)
  })
})
