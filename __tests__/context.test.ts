// readRunContext: @actions/github's Context for what it covers, our checks and defaults on top,
// and a clear ContextError (never a stack trace, never a stray stdout line) for bad input.
import { afterAll, describe, expect, it, jest } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ContextError, readRunContext } from '../src/context.js'

const dir = mkdtempSync(join(tmpdir(), 'ghcr-preflight-context-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function file(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

const PAYLOAD = {
  repository: { full_name: 'acme/app', owner: { login: 'acme', type: 'Organization' } },
}

function env(over: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_ACTOR: 'octocat',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_JOB: 'build',
    GITHUB_EVENT_PATH: file('event.json', JSON.stringify(PAYLOAD)),
    GITHUB_WORKFLOW_REF: 'acme/app/.github/workflows/build.yml@refs/heads/main',
    GITHUB_WORKFLOW_SHA: 'c0ffee'.padEnd(40, '0'),
    GITHUB_WORKSPACE: '/home/runner/work/app/app',
    ...over,
  }
}

/** readRunContext with stdout captured: the context must never print. */
function read(e: NodeJS.ProcessEnv): ReturnType<typeof readRunContext> {
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
  try {
    return readRunContext(e)
  } finally {
    expect(write).not.toHaveBeenCalled()
    write.mockRestore()
  }
}

describe('readRunContext', () => {
  it('reads a push run', () => {
    expect(read(env())).toEqual({
      serverUrl: 'https://github.com',
      apiUrl: 'https://api.github.com',
      repository: 'acme/app',
      owner: 'acme',
      actor: 'octocat',
      triggeringActor: 'octocat',
      eventName: 'push',
      event: PAYLOAD,
      job: 'build',
      workflowPath: '.github/workflows/build.yml',
      workflowRef: 'refs/heads/main',
      workflowSha: 'c0ffee'.padEnd(40, '0'),
      workspace: '/home/runner/work/app/app',
      defaultRegistry: 'ghcr.io',
    })
  })

  it('reads the given environment, not process.env, and leaves process.env as it was', () => {
    const real = process.env
    const before = { ...process.env }
    const ctx = read(env({ GITHUB_ACTOR: 'someone-else', GITHUB_EVENT_NAME: 'pull_request' }))
    expect(ctx.actor).toBe('someone-else')
    expect(ctx.eventName).toBe('pull_request')
    expect(process.env).toBe(real)
    expect(process.env).toEqual(before)
  })

  it.each([
    [
      'GitHub Enterprise Server',
      'https://ghe.acme.test/',
      undefined,
      'https://ghe.acme.test/api/v3',
      'containers.ghe.acme.test',
    ],
    [
      'GHE.com',
      'https://acme.ghe.com',
      undefined,
      'https://api.acme.ghe.com',
      'containers.acme.ghe.com',
    ],
    [
      'an explicit API URL',
      'https://github.com',
      'http://127.0.0.1:9/',
      'http://127.0.0.1:9',
      'ghcr.io',
    ],
  ])('%s', (_name, serverUrl, apiUrl, expectedApi, registry) => {
    const ctx = read(env({ GITHUB_SERVER_URL: serverUrl, GITHUB_API_URL: apiUrl }))
    expect(ctx.serverUrl).toBe(serverUrl.replace(/\/$/, ''))
    expect(ctx.apiUrl).toBe(expectedApi)
    expect(ctx.defaultRegistry).toBe(registry)
  })

  it('trims values and falls back for the triggering actor and the owner', () => {
    const ctx = read(
      env({ GITHUB_ACTOR: '  octocat ', GITHUB_JOB: ' build ', GITHUB_EVENT_NAME: ' push' }),
    )
    expect(ctx).toMatchObject({
      actor: 'octocat',
      triggeringActor: 'octocat',
      owner: 'acme',
      job: 'build',
      eventName: 'push',
    })
  })

  describe('a payload it cannot use is {} with the reason, never a throw', () => {
    const notJson = file('not-json.json', '{"repository": ')
    const array = file('array.json', '[1, 2]')
    const nothing = file('null.json', 'null')
    const folder = join(dir, 'a-folder')
    mkdirSync(folder)
    const huge = file('huge.json', '')
    truncateSync(huge, 25 * 1024 * 1024 + 1)
    it.each([
      ['not set', undefined, /GITHUB_EVENT_PATH is not set/],
      ['missing', join(dir, 'absent.json'), /could not be read: ENOENT/],
      ['not JSON', notJson, /could not be read: .*JSON/],
      ['an array', array, /not a JSON object/],
      ['null', nothing, /not a JSON object/],
      ['a folder', folder, /could not be read: EISDIR/],
      ['over 25 MiB', huge, /26214401 bytes, over the limit/],
    ])('%s', (_name, path, says) => {
      const ctx = read(env({ GITHUB_EVENT_PATH: path }))
      expect(ctx.event).toEqual({})
      expect(ctx.eventProblem).toMatch(says)
      // The rest of the context is still read.
      expect(ctx).toMatchObject({ actor: 'octocat', eventName: 'push', job: 'build' })
    })
  })

  it.each([
    ['not set', undefined, /GITHUB_REPOSITORY is not set.*ghcr-preflight lint/],
    ['not owner/repo', 'acme', /must look like owner\/repo, got "acme"/],
    ['with spaces', 'acme/my app', /must look like owner\/repo/],
  ])('refuses GITHUB_REPOSITORY %s with a ContextError', (_name, repository, says) => {
    expect(() => read(env({ GITHUB_REPOSITORY: repository }))).toThrow(ContextError)
    expect(() => read(env({ GITHUB_REPOSITORY: repository }))).toThrow(says)
  })

  it('refuses a GITHUB_SERVER_URL that is not a URL', () => {
    expect(() => read(env({ GITHUB_SERVER_URL: 'not a url' }))).toThrow(ContextError)
  })
})
