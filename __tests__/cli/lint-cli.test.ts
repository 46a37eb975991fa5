import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { repositoryFromGitConfig } from '../../src/cli/repository.js'
import { renderFindingsMarkdown } from '../../src/findings/render-markdown.js'
import { FINDING_IDS } from '../../src/findings/types.js'
import { expectGolden, ROOT, runCli } from './run-cli.js'

const SETS = [
  ['examples', ['examples']],
  ['fixtures', ['__tests__/fixtures/workflows']],
] as const

describe('ghcr-preflight lint: golden output', () => {
  describe.each(SETS)('%s', (name, paths) => {
    it.each([
      ['text', 'txt'],
      ['json', 'json'],
      ['sarif', 'sarif'],
    ])('--format %s', (format, ext) => {
      const r = runCli(['lint', ...paths, '--format', format, '--repository', 'acme/app'])
      expect(r.stderr).toBe('')
      expect(r.code).toBe(1)
      expectGolden(`${name}.${ext}`, r.stdout)
    })
  })

  it('json is { findings: [...] } with repo-relative files and 1-based positions', () => {
    const r = runCli(['lint', 'examples', '--format', 'json', '--repository', 'acme/app'])
    const out = JSON.parse(r.stdout) as { findings: Array<Record<string, unknown>> }
    expect(Object.keys(out)).toEqual(['findings'])
    for (const f of out.findings) {
      expect(FINDING_IDS).toContain(f.id)
      expect(f.file).toMatch(/^examples\/\.github\/workflows\/[\w-]+\.yml$/)
      expect(f.line).toBeGreaterThanOrEqual(1)
      expect(f.column).toBeGreaterThanOrEqual(1)
      expect(Array.isArray(f.fix)).toBe(true)
    }
    // Each deliberate mistake in examples/ is found, and good.yml is clean.
    const ids = new Set(
      out.findings.map((f) => `${String(f.file).split('/').pop()} ${String(f.id)}`),
    )
    for (const expected of [
      'build-missing-packages.yml packages-permission-missing',
      'release-read-all.yml packages-permission-missing',
      'release-read-all.yml image-name-uppercase',
      'nightly-undeclared.yml packages-permission-undeclared',
      'nightly-undeclared.yml image-registry-mismatch',
      'call-reusable.yml reusable-workflow-permission-ceiling',
      'call-reusable.yml reusable-workflow-not-checked',
      'anchors-typo.yml packages-permission-missing',
      'docker-hub-by-mistake.yml image-registry-mismatch',
      'pat-login.yml push-without-run-token',
      'make-release.yml packages-permission-undeclared',
      'permissions-typo.yml permissions-invalid',
    ]) {
      expect(ids).toContain(expected)
    }
    expect(out.findings.filter((f) => String(f.file).endsWith('/good.yml'))).toEqual([])
    // The undeclared message is short (issue 10): the rest is in the fix steps and `explain`.
    for (const f of out.findings.filter((x) => x.id === 'packages-permission-undeclared')) {
      expect(String(f.message).length).toBeLessThanOrEqual(200)
    }
    expect(out.findings.filter((f) => String(f.file).endsWith('/reusable-push.yml'))).toEqual([])
  })

  it('defaults to .github/workflows under the current folder, with JSON paths relative to the repository root', () => {
    const r = runCli(['lint', '--format', 'json'], {
      cwd: join(ROOT, 'examples'),
      env: { GITHUB_REPOSITORY: 'acme/app' },
    })
    expect(r.code).toBe(1)
    const files = (JSON.parse(r.stdout) as { findings: Array<{ file: string }> }).findings.map(
      (f) => f.file,
    )
    expect(files.length).toBeGreaterThan(0)
    // examples/ is a folder of this repository: contracts §5 paths are repository-relative.
    for (const f of files) expect(f).toMatch(/^examples\/\.github\/workflows\//)
  })
})

describe("ghcr-preflight lint on this repository's own workflows", () => {
  it('finds nothing: the project follows its own advice', () => {
    const r = runCli(['lint', '--format', 'json'], {
      cwd: ROOT,
      env: { GITHUB_REPOSITORY: 'craigedmunds/ghcr-preflight' },
    })
    expect(JSON.parse(r.stdout)).toEqual({ findings: [] })
    expect(r.code).toBe(0)
  })
})

describe('ghcr-preflight lint: exit codes', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ghcr-preflight-lint-'))
  const write = (name: string, text: string) => {
    const p = join(tmp, name)
    writeFileSync(p, text)
    return p
  }
  const warningOnly = write(
    'warning-only.yml',
    'on: push\njobs:\n  b:\n    steps:\n      - run: docker push ghcr.io/acme/app:1\n',
  )
  const clean = write('clean.yml', 'on: push\njobs:\n  t:\n    steps:\n      - run: make test\n')

  it.each([
    [
      'a clean file',
      [join(ROOT, 'examples/.github/workflows/good.yml')],
      0,
      /^no problems found in 1 workflow file\n$/,
    ],
    ['a file with no pushing job', [clean], 0, /^no problems found in 1 workflow file\n$/],
    [
      'warnings only',
      [warningOnly],
      0,
      /1 problem \(0 errors, 1 warning, 0 notices\) in 1 workflow file\n$/,
    ],
    [
      'an error',
      [join(ROOT, 'examples/.github/workflows/build-missing-packages.yml')],
      1,
      /\[packages-permission-missing\]/,
    ],
    [
      'an unparsable file (GitHub rejects it too)',
      [join(ROOT, '__tests__/fixtures/workflows/malformed.yml')],
      1,
      /\[workflow-unreadable\]/,
    ],
  ])('%s → %s', (_name, paths, code, out) => {
    const r = runCli(['lint', ...paths])
    expect(r.code).toBe(code)
    expect(r.stdout).toMatch(out)
  })

  it.each([
    ['no command', [], /^ghcr-preflight: no command given; usage: ghcr-preflight lint/],
    ['unknown command', ['check'], /unknown command "check"/],
    ['unknown flag', ['lint', '--fromat', 'json'], /unknown flag --fromat for lint/],
    [
      'unknown format',
      ['lint', '--format', 'xml'],
      /unknown format "xml" \(use text, json or sarif\)/,
    ],
    ['flag without value', ['lint', '--format'], /--format needs a value/],
    ['missing path', ['lint', 'no/such/dir'], /path not found: no\/such\/dir/],
    ['bad registry', ['lint', '--registry', 'https://ghcr.io'], /--registry must be a host name/],
    ['bad repository', ['lint', '--repository', 'acme'], /--repository must look like OWNER\/REPO/],
    ['explain without id', ['explain'], /explain takes one finding id/],
    [
      'explain unknown id',
      ['explain', 'packages-permision-missing'],
      /did you mean "packages-permission-missing"/,
    ],
    [
      'findings wrong format',
      ['findings', '--format', 'json'],
      /findings --format must be markdown/,
    ],
  ])('usage error: %s → exit 2, one line on stderr', (_name, argv, message) => {
    const r = runCli(argv)
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(message)
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
  })

  it('no .github/workflows in the current folder → exit 2', () => {
    const r = runCli(['lint'], { cwd: tmp })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('no .github/workflows folder in')
  })

  it('a repository root given as a folder is searched in .github/workflows', () => {
    const root = mkdtempSync(join(tmpdir(), 'ghcr-preflight-root-'))
    mkdirSync(join(root, '.github', 'workflows'), { recursive: true })
    writeFileSync(join(root, '.github', 'workflows', 'a.yaml'), readFileSync(warningOnly, 'utf8'))
    writeFileSync(join(root, '.github', 'workflows', 'notes.txt'), 'not yaml')
    const r = runCli(['lint', root, '--format', 'json'])
    const out = JSON.parse(r.stdout) as { findings: Array<{ id: string; file: string }> }
    expect(out.findings.map((f) => f.id)).toEqual(['packages-permission-undeclared'])
    expect(out.findings[0]!.file).toMatch(/\.github\/workflows\/a\.yaml$/)
  })
})

describe('ghcr-preflight: text output details', () => {
  const file = 'examples/.github/workflows/build-missing-packages.yml'

  it('uses file:line:col: message [id], then the fix steps indented', () => {
    const r = runCli(['lint', file, '--repository', 'acme/app'])
    const lines = r.stdout.split('\n')
    expect(lines[0]).toMatch(
      /^examples\/\.github\/workflows\/build-missing-packages\.yml:10:5: job "build" sets permissions without packages: write .* \[packages-permission-missing\]$/,
    )
    expect(lines[1]).toBe('  error: job token lacks packages: write')
    expect(lines[2]).toMatch(/^ {2}1\. /)
    expect(lines[3]).toMatch(/^ {9}jobs:$/)
  })

  it.each([
    [true, {}, true],
    [true, { NO_COLOR: '1' }, false],
    [false, {}, false],
  ])('colour when TTY=%s env=%j → %s', (isTTY, env, coloured) => {
    const r = runCli(['lint', file], { isTTY, env })
    expect(r.stdout.includes('\u001b[')).toBe(coloured)
  })

  it('uses the repository for links when known, OWNER/REPO otherwise', () => {
    expect(runCli(['lint', file], { env: { GITHUB_REPOSITORY: 'acme/app' } }).stdout).toContain(
      'https://github.com/acme/app/settings/actions',
    )
    // A folder outside any git checkout, and no GITHUB_REPOSITORY: nothing to go on.
    const outside = mkdtempSync(join(tmpdir(), 'ghcr-preflight-nogit-'))
    const r = runCli(['lint', join(ROOT, file)], { cwd: outside, env: {} })
    expect(r.stdout).toContain('https://github.com/OWNER/REPO/settings/actions')
  })

  it.each([
    ['[remote "origin"]\n\turl = https://github.com/acme/app.git\n', 'acme/app'],
    ['[remote "origin"]\n\turl = git@github.com:acme/app.git\n', 'acme/app'],
    ['[remote "origin"]\n\turl = ssh://git@github.com/acme/app\n', 'acme/app'],
    ['[remote "upstream"]\n\turl = https://github.com/other/x.git\n', undefined],
    ['[remote "origin"]\n\turl = https://gitlab.com/acme/app.git\n', undefined],
  ])('repositoryFromGitConfig(%j) = %s', (config, expected) => {
    expect(repositoryFromGitConfig(config, 'github.com')).toBe(expected)
  })

  it('--registry changes the host that counts as a push', () => {
    const r = runCli(['lint', file, '--registry', 'containers.example.ghe.com'])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('no problems found in 1 workflow file\n')
  })
})

describe('ghcr-preflight: other commands', () => {
  it('--help prints usage on stdout and exits 0', () => {
    const r = runCli(['--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('usage: ghcr-preflight lint [paths…] [--format text|json|sarif]')
    expect(r.stdout).toContain('explain <finding-id>')
  })

  it('--version prints the package version', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
    expect(runCli(['--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' })
  })

  it('explain prints the catalogue entry', () => {
    const r = runCli(['explain', 'packages-permission-missing'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^packages-permission-missing \(error\): /)
    for (const part of ['When: ', 'Why: ', 'Fix:', 'Docs:', 'https://docs.github.com/']) {
      expect(r.stdout).toContain(part)
    }
  })

  it.each(FINDING_IDS.map((id) => [id]))('explain %s works', (id) => {
    const r = runCli(['explain', id])
    expect(r.code).toBe(0)
    expect(r.stdout.startsWith(`${id} (`)).toBe(true)
  })

  it('findings --format markdown prints the rendered catalogue', () => {
    const r = runCli(['findings', '--format', 'markdown'])
    expect(r.code).toBe(0)
    const md = renderFindingsMarkdown()
    expect(r.stdout).toBe(md.endsWith('\n') ? md : `${md}\n`)
  })
})
