// src/runner/core.ts against @actions/core's public functions: each case runs the same call
// through both, against the same environment and the same (empty) GITHUB_OUTPUT file, and the
// bytes on stdout and in the file must be identical. Importing both also fails
// this suite when a core update moves the files src/runner/core.ts imports by path.
//
// The heredoc delimiter of file commands is a fresh random UUID per call (core's from
// node:crypto, ours from the system's random source: src/runner/file-command.ts), so each side's
// delimiters are numbered in order of appearance before the bytes are compared.
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { prepareKeyValueMessage, randomUuid } from '../../src/runner/file-command.js'

const core = await import('@actions/core')
const ours = await import('../../src/runner/core.js')

type Api = typeof ours

let dir: string
const saved = { ...process.env }
const RUNNER_FILES = ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_ENV'] as const

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ghcr-preflight-runner-'))
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})
afterEach(() => {
  process.env = { ...saved }
  process.exitCode = undefined
})

interface Written {
  stdout: string
  files: Record<string, string>
  exitCode: typeof process.exitCode
  thrown?: string
}

/** Runs `call` against one side with fresh runner files and captures everything it wrote. */
function capture(side: 'core' | 'ours', call: (api: Api) => void, withFiles: boolean): Written {
  const api = (side === 'core' ? core : ours) as Api
  for (const name of RUNNER_FILES) {
    const path = join(dir, `${side}-${name}`)
    writeFileSync(path, '')
    if (withFiles) process.env[name] = path
    else delete process.env[name]
  }
  process.exitCode = undefined
  let stdout = ''
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    stdout += String(chunk)
    return true
  })
  let thrown: string | undefined
  try {
    call(api)
  } catch (e) {
    thrown = `${(e as Error).name}: ${(e as Error).message}`
  } finally {
    write.mockRestore()
  }
  const files: Record<string, string> = {}
  const delimiters = new Map<string, number>()
  const numbered = (text: string) =>
    text.replace(/ghadelimiter_[0-9a-f-]{36}/g, (d) => {
      if (!delimiters.has(d)) delimiters.set(d, delimiters.size + 1)
      return `ghadelimiter_#${delimiters.get(d)}`
    })
  for (const name of RUNNER_FILES) {
    files[name] = numbered(readFileSync(join(dir, `${side}-${name}`), 'utf8'))
  }
  const exitCode = process.exitCode
  process.exitCode = undefined
  return { stdout, files, exitCode, ...(thrown ? { thrown } : {}) }
}

/** Both sides, compared; returns core's bytes so a case can also check they are what it means. */
function same(call: (api: Api) => void, withFiles = true): Written {
  const theirs = capture('core', call, withFiles)
  const mine = capture('ours', call, withFiles)
  expect(mine).toEqual(theirs)
  return theirs
}

const awkward = 'a%b\r\nc:d,e\n%0A::x'
const properties = {
  title: 'packages-permission-missing: a, b: c%',
  file: '.github/workflows/build.yml',
  startLine: 7,
  endLine: 7,
  startColumn: 5,
  endColumn: 19,
}

describe('workflow commands on stdout', () => {
  it.each([
    ['setSecret', (a: Api) => a.setSecret(`ghp_${awkward}`)],
    ['info', (a: Api) => a.info(`plain ${awkward}`)],
    ['debug', (a: Api) => a.debug(`stack ${awkward}`)],
    ['notice, no properties', (a: Api) => a.notice(awkward)],
    ['warning, every property', (a: Api) => a.warning(awkward, properties)],
    ['error, file and line only', (a: Api) => a.error('bad', { file: 'x.yml', startLine: 3 })],
    ['error from an Error', (a: Api) => a.error(new TypeError(`oops ${awkward}`), properties)],
    [
      'notice with a zero line (dropped, as core does)',
      (a: Api) => a.notice('n', { startLine: 0 }),
    ],
    ['setFailed', (a: Api) => a.setFailed(`ghcr-preflight: ${awkward}`)],
    ['setFailed from an Error', (a: Api) => a.setFailed(new Error('boom'))],
  ])('%s', (_name, call) => {
    const written = same(call)
    expect(written.stdout).not.toBe('')
  })

  it('setFailed fails the step', () => {
    expect(same((a) => a.setFailed('x')).exitCode).toBe(1)
  })
})

describe('file commands', () => {
  const values: [string, unknown][] = [
    ['a string', 'ready'],
    ['several lines', 'ghcr.io/acme/a\nghcr.io/acme/b'],
    ['an empty string', ''],
    ['JSON text', JSON.stringify([{ id: 'x', message: awkward }])],
    ['a number', 42],
    ['a boolean', false],
    ['an object', { a: 1, b: [true, null] }],
    ['null', null],
    ['undefined', undefined],
  ]
  it.each(values)('setOutput with %s, GITHUB_OUTPUT set', (_name, value) => {
    const written = same((a) => a.setOutput('out-name', value))
    expect(written.files.GITHUB_OUTPUT).toMatch(/^out-name<<ghadelimiter_/)
  })
  it.each(values)('setOutput with %s, no GITHUB_OUTPUT (::set-output)', (_name, value) => {
    const written = same((a) => a.setOutput('out-name', value), false)
    expect(written.stdout).toMatch(/^\n::set-output name=out-name::/)
  })
  it.each(values)('saveState with %s, GITHUB_STATE set', (_name, value) => {
    const written = same((a) => a.saveState('post-result', value))
    expect(written.files.GITHUB_STATE).toMatch(/^post-result<<ghadelimiter_/)
  })
  it.each(values)('saveState with %s, no GITHUB_STATE (::save-state)', (_name, value) => {
    const written = same((a) => a.saveState('post-result', value), false)
    expect(written.stdout).toMatch(/^::save-state name=post-result::/)
  })
  it.each(values)('exportVariable with %s, GITHUB_ENV set', (_name, value) => {
    const written = same((a) => a.exportVariable('GHCR_PREFLIGHT_RESULT', value))
    expect(written.files.GITHUB_ENV).toMatch(/^GHCR_PREFLIGHT_RESULT<<ghadelimiter_/)
  })
  it('each delimiter is a fresh random version-4 UUID, as crypto.randomUUID makes it', () => {
    const V4 = /^ghadelimiter_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
    const delimiters = Array.from({ length: 50 }, () =>
      prepareKeyValueMessage('k', 'v').split('\n').pop(),
    )
    for (const d of delimiters) expect(d).toMatch(V4)
    expect(new Set(delimiters).size).toBe(50)
    expect(randomUuid(new Uint8Array(16).fill(0xff))).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff')
    expect(randomUuid(new Uint8Array(16))).toBe('00000000-0000-4000-8000-000000000000')
  })
  it('refuses a name or value holding the delimiter, as core does', () => {
    const uuid = '0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f'
    expect(() => prepareKeyValueMessage(`x ghadelimiter_${uuid}`, 'v', uuid)).toThrow(
      /name should not contain the delimiter/,
    )
    expect(() => prepareKeyValueMessage('k', `a\nghadelimiter_${uuid}\nb=c`, uuid)).toThrow(
      /value should not contain the delimiter/,
    )
  })
  it('getState reads STATE_<name> as the runner gives it to the post step', () => {
    process.env.STATE_result = 'fallback'
    expect(ours.getState('result')).toBe(core.getState('result'))
    expect(ours.getState('absent')).toBe(core.getState('absent'))
  })
  it('refuses a GITHUB_OUTPUT path that does not exist, with the same error', () => {
    const written = same((a) => {
      process.env.GITHUB_OUTPUT = join(dir, 'nowhere', 'output')
      a.setOutput('x', 'y')
    })
    expect(written.thrown).toMatch(/Missing file at path/)
  })
})

describe('reading the environment', () => {
  it.each([
    ['a plain input', 'image', 'ghcr.io/acme/app', undefined],
    ['an input with spaces in its name', 'my input', ' value ', undefined],
    ['whitespace kept on request', 'image', '  a  ', { trimWhitespace: false }],
    ['a missing input', 'fallback-token', undefined, undefined],
    ['a missing required input', 'fallback-token', undefined, { required: true }],
  ])('getInput: %s', (_name, input, value, options) => {
    const key = `INPUT_${input.replace(/ /g, '_').toUpperCase()}`
    const read = (a: Api): string | Error => {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
      try {
        return a.getInput(input, options)
      } catch (e) {
        return e as Error
      }
    }
    expect(read(ours)).toEqual(read(core as Api))
  })
})

describe('job summary', () => {
  it("is core's own summary object", () => {
    expect(ours.summary).toBe(core.summary)
  })

  it('appends the same bytes to GITHUB_STEP_SUMMARY', async () => {
    const path = join(dir, 'summary')
    writeFileSync(path, 'earlier step\n')
    process.env.GITHUB_STEP_SUMMARY = path
    await ours.summary.addHeading('ghcr-preflight', 2).addRaw(`<p>${awkward}</p>`).write()
    await core.summary.addHeading('ghcr-preflight', 2).addRaw(`<p>${awkward}</p>`).write()
    const text = readFileSync(path, 'utf8')
    const block = `<h2>ghcr-preflight</h2>\n<p>${awkward}</p>`
    expect(text).toBe(`earlier step\n${block}${block}`)
  })
})
