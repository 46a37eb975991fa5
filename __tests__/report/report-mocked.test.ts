// The runner protocol (src/runner/core.ts) is mocked: these tests look at what the reporting code asks it to do.
import { beforeEach, describe, expect, it, jest } from '@jest/globals'
import { finding, report } from './fixtures.js'

const calls: [string, ...unknown[]][] = []
const record =
  (name: string) =>
  (...args: unknown[]) => {
    calls.push([name, ...args])
  }
const summaryWrite = jest.fn(async (_options?: unknown) => undefined)
const summary = {
  addRaw: jest.fn((_text: string) => summary),
  write: summaryWrite,
  emptyBuffer: jest.fn(() => summary),
}

jest.unstable_mockModule('../../src/runner/core.js', () => ({
  error: record('error'),
  warning: record('warning'),
  notice: record('notice'),
  info: record('info'),
  setSecret: record('setSecret'),
  setOutput: record('setOutput'),
  summary,
}))

const { emitAnnotations, isAnnotated } = await import('../../src/report/annotations.js')
const { setOutputs } = await import('../../src/report/outputs.js')
const { renderSummary, writeSummary } = await import('../../src/report/summary.js')

beforeEach(() => {
  calls.length = 0
  summaryWrite.mockClear()
  summary.addRaw.mockClear()
})

describe('emitAnnotations', () => {
  it('annotates at most 10 per severity, errors first, and counts the rest', () => {
    const input = [
      ...Array.from({ length: 11 }, (_, i) => finding('notice', i)),
      ...Array.from({ length: 3 }, (_, i) => finding('warning', i)),
      ...Array.from({ length: 12 }, (_, i) => finding('error', i)),
    ]
    const n = emitAnnotations(input)
    expect(n).toBe(23)
    const levels = calls.filter(([k]) => k !== 'info').map(([k]) => k)
    expect(levels).toEqual([
      ...Array(10).fill('error'),
      ...Array(3).fill('warning'),
      ...Array(10).fill('notice'),
    ])
    // the first ten errors, in their original order
    const errorMessages = calls
      .filter(([k]) => k === 'error')
      .map(([, m]) => (m as string).split('\n')[0])
    expect(errorMessages).toEqual(Array.from({ length: 10 }, (_, i) => `message error ${i}`))
    const infos = calls.filter(([k]) => k === 'info').map(([, m]) => m as string)
    expect(infos.at(-1)).toContain('3 findings were not annotated')
    // every finding, with every fix step, is in the log
    expect(infos.filter((m) => m.includes('[packages-permission-missing]'))).toHaveLength(26)
    expect(infos.join('\n')).toContain('message notice 10')
    expect(infos.join('\n')).toContain('2. step two')
  })

  it('is silent when there is nothing to say', () => {
    expect(emitAnnotations([])).toBe(0)
    expect(calls).toEqual([])
  })

  it.each([
    [
      { file: '.github/workflows/b.yml', line: 7, column: 5 },
      {
        title: 'packages-permission-missing',
        file: '.github/workflows/b.yml',
        startLine: 7,
        startColumn: 5,
      },
    ],
    [
      { file: '.github/workflows/b.yml', line: 7 },
      { title: 'packages-permission-missing', file: '.github/workflows/b.yml', startLine: 7 },
    ],
    [
      { file: '.github/workflows/b.yml' },
      { title: 'packages-permission-missing', file: '.github/workflows/b.yml' },
    ],
    [{ line: 7, column: 5 }, { title: 'packages-permission-missing' }],
    [{}, { title: 'packages-permission-missing' }],
  ])('places %j as %j', (loc, props) => {
    emitAnnotations([finding('error', 0, loc)])
    expect(calls[0]![2]).toEqual(props)
  })

  it('says the verdict on the one annotation it names, once, and nowhere else', () => {
    const fork = { ...finding('notice', 0), id: 'fork-pull-request' as const }
    const other = { ...finding('notice', 1), id: 'probe-disabled' as const }
    emitAnnotations([other, fork, { ...fork }], undefined, {
      on: 'fork-pull-request',
      text: 'ghcr-preflight skipped the push:',
    })
    const messages = calls.map((c) => String(c[1]))
    expect(messages.filter((m) => m.startsWith('ghcr-preflight skipped the push: '))).toEqual([
      'ghcr-preflight skipped the push: message notice 0\nFix: step one for notice 0\n    permissions:\n      packages: write',
    ])
    expect(isAnnotated([other, fork], 'fork-pull-request')).toBe(true)
    const capped = Array.from({ length: 10 }, (_, i) => finding('notice', i))
    expect(isAnnotated([...capped, fork], 'fork-pull-request')).toBe(false)
  })

  it('adds the first fix step to the message', () => {
    emitAnnotations([finding('warning', 1)])
    expect(calls[0]![1]).toBe(
      'message warning 1\nFix: step one for warning 1\n    permissions:\n      packages: write',
    )
  })
})

describe('setOutputs', () => {
  it('masks the password before setting any output', () => {
    setOutputs(
      report({ findings: [finding('error', 1, { file: 'a.yml', line: 2 })] }),
      'ghs_secretvalue',
    )
    expect(calls[0]).toEqual(['setSecret', 'ghs_secretvalue'])
    const outputs = Object.fromEntries(
      calls.slice(1).map(([k, name, value]) => {
        expect(k).toBe('setOutput')
        return [name, value]
      }),
    )
    expect(outputs).toEqual({
      result: 'ready',
      'can-push': 'true',
      'credential-source': 'github-token',
      registry: 'ghcr.io',
      username: 'alice',
      password: 'ghs_secretvalue',
      images: 'ghcr.io/acme/widget\nghcr.io/acme/tools',
      findings: expect.any(String),
    })
    const parsed = JSON.parse(outputs.findings as string)
    expect(parsed).toEqual([
      {
        id: 'packages-permission-missing',
        severity: 'error',
        title: 'title error 1',
        message: 'message error 1',
        fix: ['step one for error 1\n    permissions:\n      packages: write', 'step two'],
        file: 'a.yml',
        line: 2,
      },
    ])
  })

  it('does not mask an empty password and says can-push false', () => {
    setOutputs(
      report({ result: 'skip', canPush: false, credentialSource: 'none', username: '' }),
      '',
    )
    expect(calls.some(([k]) => k === 'setSecret')).toBe(false)
    expect(calls).toContainEqual(['setOutput', 'can-push', 'false'])
    expect(calls).toContainEqual(['setOutput', 'password', ''])
  })
})

describe('renderSummary', () => {
  it.each([
    ['ready', '✅ ready: the run&#39;s token can push to ghcr.io'],
    ['fallback', '✅ fallback'],
    ['fail', '❌ fail'],
    ['unverified', '⚠️ unverified'],
    ['skip', '⏭️ skip'],
  ] as const)('shows the %s verdict', (result, line) => {
    expect(renderSummary(report({ result }))).toContain(line)
  })

  it('lists checks, every finding with location, fix steps, code blocks and docs links', () => {
    const html = renderSummary(
      report({
        result: 'fail',
        findings: [
          finding('warning', 1),
          finding('error', 2, {
            file: '.github/workflows/b.yml',
            line: 9,
            column: 3,
            image: 'ghcr.io/acme/widget',
            fix: ['Open https://github.com/acme/widget/settings/actions.', 'Set `packages: write`'],
          }),
        ],
      }),
    )
    expect(html).toContain('<td>✅ pass</td><td>registry push probe</td>')
    expect(html).toContain('Findings (1 error, 1 warning)')
    expect(html.indexOf('message error 2')).toBeLessThan(html.indexOf('message warning 1'))
    expect(html).toContain('<code>.github/workflows/b.yml:9:3</code>')
    expect(html).toContain('image <code>ghcr.io/acme/widget</code>')
    expect(html).toContain(
      '<a href="https://github.com/acme/widget/settings/actions">https://github.com/acme/widget/settings/actions</a>.',
    )
    expect(html).toContain('Set <code>packages: write</code>')
    expect(html).toContain('<pre><code>permissions:\n  packages: write</code></pre>')
    expect(html).toContain(
      'href="https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#permissions"',
    )
    expect(html).toContain('812 ms')
    expect(html).toContain('the registry accepted an upload with the run&#39;s token')
  })

  it('escapes untrusted text', () => {
    const html = renderSummary(
      report({
        images: ['ghcr.io/<img src=x onerror=alert(1)>'],
        findings: [
          finding('error', 1, {
            file: '"><script>x</script>.yml',
            message: 'bad <b>name</b> & `<i>`',
            image: '<svg/onload=1>',
          }),
        ],
        checks: [{ name: '<b>', status: 'info', detail: '<script>' }],
      }),
    )
    expect(html).not.toMatch(/<(script|img|svg|b|i)[\s>/]/)
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(html).toContain('bad &lt;b&gt;name&lt;/b&gt; &amp; <code>&lt;i&gt;</code>')
    expect(html).toContain('&quot;&gt;&lt;script&gt;')
  })

  it('says when there are no findings', () => {
    expect(renderSummary(report())).toContain('No problems found.')
  })
})

describe('writeSummary', () => {
  it('logs instead of throwing when GITHUB_STEP_SUMMARY is missing', async () => {
    const saved = process.env.GITHUB_STEP_SUMMARY
    delete process.env.GITHUB_STEP_SUMMARY
    await expect(writeSummary(report())).resolves.toBeUndefined()
    expect(summaryWrite).not.toHaveBeenCalled()
    expect(calls).toContainEqual([
      'info',
      expect.stringContaining('GITHUB_STEP_SUMMARY is not set'),
    ])
    if (saved !== undefined) process.env.GITHUB_STEP_SUMMARY = saved
  })

  it('appends the rendered summary and survives a write error', async () => {
    process.env.GITHUB_STEP_SUMMARY = '/nonexistent/summary.md'
    await writeSummary(report())
    expect(summary.addRaw).toHaveBeenCalledWith(renderSummary(report()))
    expect(summaryWrite).toHaveBeenCalledWith()
    summaryWrite.mockRejectedValueOnce(new Error('disk full'))
    await expect(writeSummary(report())).resolves.toBeUndefined()
    expect(calls).toContainEqual(['info', expect.stringContaining('disk full')])
    delete process.env.GITHUB_STEP_SUMMARY
  })
})
