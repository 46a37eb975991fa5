// The command line against real folders: repository-relative SARIF paths from any working folder,
// files GitHub would reject, no workflow files, the CLI's own wording, and --fix / --diff on disk
// (the built CLI as a child process for the file-writing path).

import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { parse } from 'yaml'
import { ROOT, runCli } from './run-cli.js'

const PUSH_NO_BLOCK = [
  '# builds and pushes',
  'on: push',
  'jobs:',
  '  image:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - uses: actions/checkout@v5',
  '      - run: docker push ghcr.io/acme/app:1',
  '',
].join('\n')

/** A repository on disk: `.git`, and the given files. */
function repository(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'ghcr-preflight-repo-'))
  mkdirSync(join(root, '.git'))
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  return root
}

interface SarifLocation {
  physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } }
}

function sarifUris(stdout: string): string[] {
  const sarif = JSON.parse(stdout) as {
    runs: Array<{
      results: Array<{ locations: SarifLocation[]; relatedLocations?: SarifLocation[] }>
    }>
  }
  return sarif.runs[0]!.results.flatMap((r) =>
    [...r.locations, ...(r.relatedLocations ?? [])].map(
      (l) => l.physicalLocation.artifactLocation.uri,
    ),
  )
}

describe('SARIF paths are relative to the repository root, from any working folder', () => {
  const root = repository({
    '.github/workflows/build.yml': PUSH_NO_BLOCK,
    'src/app/main.go': 'package main\n',
  })
  it.each([
    ['the root', root, []],
    ['a sub-folder, linting the default', join(root, 'src', 'app'), []],
    ['a sub-folder, the folder by path', join(root, 'src', 'app'), ['../../.github/workflows']],
    ['a sub-folder, the file by path', join(root, 'src'), ['../.github/workflows/build.yml']],
    ['outside, with --root', tmpdir(), ['--root', root, join(root, '.github/workflows/build.yml')]],
  ])('from %s', (_name, cwd, args) => {
    const r = runCli(['lint', ...args, '--format', 'sarif'], { cwd })
    expect(r.stderr).toBe('')
    const uris = sarifUris(r.stdout)
    expect(uris.length).toBeGreaterThan(0)
    for (const uri of uris) expect(uri).toBe('.github/workflows/build.yml')
  })

  it('text output stays relative to the current folder, so it opens on click', () => {
    const r = runCli(['lint', '../.github/workflows'], { cwd: join(root, 'src') })
    expect(r.stdout).toMatch(/^\.\.\/\.github\/workflows\/build\.yml:4:3: /)
  })
})

describe('files GitHub would reject are errors (exit 1)', () => {
  it.each([
    ['empty', ''],
    ['binary', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0x00])],
    ['malformed YAML', 'on: push\njobs:\n  a: [\n'],
    ['a mapping without on', 'jobs:\n  a:\n    steps: [{ run: echo }]\n'],
    ['a mapping without jobs', 'name: x\non: push\n'],
    ['a YAML list', '- on: push\n'],
    [
      'a merge key',
      'on: push\njobs:\n  a:\n    steps:\n      - uses: x/y@v1\n        with:\n          <<: { a: b }\n',
    ],
    [
      'an unknown permissions scope',
      'on: push\npermissions:\n  workflows: write\njobs:\n  a:\n    steps: [{ run: echo }]\n',
    ],
    [
      'oversized',
      `on: push\njobs:\n  a:\n    steps: [{ run: echo }]\n# ${'x'.repeat(5 * 1024 * 1024)}\n`,
    ],
  ])('%s', (_name, content) => {
    const root = repository({ '.github/workflows/bad.yml': content })
    const r = runCli(['lint', '--format', 'json'], { cwd: root })
    expect(r.code).toBe(1)
    const findings = (JSON.parse(r.stdout) as { findings: Array<{ id: string; severity: string }> })
      .findings
    expect(findings.length).toBeGreaterThan(0)
    expect(findings[0]!.severity).toBe('error')
    expect(['workflow-unreadable', 'workflow-invalid', 'permissions-invalid']).toContain(
      findings[0]!.id,
    )
  })
})

describe('no workflow files', () => {
  it.each([
    ['an empty .github/workflows', { '.github/workflows/README.md': 'notes' }, []],
    ['a folder without YAML', { 'docs/a.txt': 'x' }, ['docs']],
  ])('%s → a clear message, exit 2', (_name, files, args) => {
    const root = repository(files)
    const r = runCli(['lint', ...args], { cwd: root })
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/no workflow files \(\*\.yml, \*\.yaml\) in /)
  })
})

describe("the CLI's own wording", () => {
  it('never tells a developer at a terminal to add a workflow step or to run the CLI', () => {
    const root = repository({
      '.github/workflows/bad.yml': 'on: push\njobs:\n  a: [\n',
      '.github/workflows/empty.yml': '',
      '.github/workflows/call.yml':
        'on: push\njobs:\n  c:\n    uses: ./.github/workflows/missing.yml\n  r:\n    uses: o/r/.github/workflows/x.yml@v1\n',
    })
    for (const [cwd, paths] of [
      [root, []],
      [ROOT, ['examples', '__tests__/fixtures/workflows']],
    ] as const) {
      for (const format of ['text', 'json', 'sarif']) {
        const out = runCli(['lint', ...paths, '--format', format], { cwd }).stdout
        expect(out).not.toMatch(/actions\/checkout` before ghcr-preflight/)
        expect(out).not.toMatch(/npx ghcr-preflight lint/)
        expect(out).not.toMatch(/ghcr-preflight checked "[^"]*" instead/)
      }
    }
  })
})

describe('--diff and --fix', () => {
  it('--diff prints the patch, which git apply takes; the file is not touched', () => {
    const root = repository({ '.github/workflows/build.yml': PUSH_NO_BLOCK })
    execFileSync('git', ['init', '-q'], { cwd: root })
    const r = runCli(['lint', '--diff'], { cwd: root })
    expect(r.code).toBe(0) // undeclared is a warning
    expect(r.stdout).toBe(
      [
        '--- a/.github/workflows/build.yml',
        '+++ b/.github/workflows/build.yml',
        '@@ -2,6 +2,9 @@',
        ' on: push',
        ' jobs:',
        '   image:',
        '+    permissions:',
        '+      contents: read',
        '+      packages: write # to push to ghcr.io',
        '     runs-on: ubuntu-latest',
        '     steps:',
        '       - uses: actions/checkout@v5',
        '',
      ].join('\n'),
    )
    expect(readFileSync(join(root, '.github/workflows/build.yml'), 'utf8')).toBe(PUSH_NO_BLOCK)
    writeFileSync(join(root, 'fix.patch'), r.stdout)
    execFileSync('git', ['apply', 'fix.patch'], { cwd: root })
    expect(runCli(['lint', '--format', 'json'], { cwd: root }).stdout).toBe(
      '{\n  "findings": []\n}\n',
    )
  })

  it('--fix with the built CLI writes the files, says what it did on stderr, and a second run has nothing to do', () => {
    const cli = join(ROOT, 'dist', 'cli', 'index.js')
    expect(existsSync(cli)).toBe(true)
    const crlf = PUSH_NO_BLOCK.replace(/\n/g, '\r\n')
    const root = repository({
      '.github/workflows/build.yml': crlf,
      '.github/workflows/pat.yml': PUSH_NO_BLOCK.replace(
        '      - run: docker push',
        '      - run: echo "${{ secrets.CR_PAT }}" | docker login ghcr.io -u x --password-stdin\n      - run: docker push',
      ),
    })
    const first = spawnSync(process.execPath, [cli, 'lint', '--fix'], {
      cwd: root,
      encoding: 'utf8',
    })
    expect(first.status).toBe(0)
    expect(first.stderr).toBe(
      'ghcr-preflight: fixed .github/workflows/build.yml: permissions of job "image"\n',
    )
    // What is left: the PAT job's notice only.
    expect(first.stdout).toMatch(/\[push-without-run-token\]/)
    expect(first.stdout).not.toMatch(/packages-permission/)
    const fixed = readFileSync(join(root, '.github/workflows/build.yml'), 'utf8')
    expect(fixed).toContain(
      '    permissions:\r\n      contents: read\r\n      packages: write # to push to ghcr.io\r\n',
    )
    expect(fixed.startsWith('# builds and pushes\r\n')).toBe(true)
    // The job whose push uses another credential is never touched.
    expect(readFileSync(join(root, '.github/workflows/pat.yml'), 'utf8')).not.toContain(
      'permissions',
    )
    const second = spawnSync(process.execPath, [cli, 'lint', '--fix'], {
      cwd: root,
      encoding: 'utf8',
    })
    expect(second.stderr).toBe('ghcr-preflight: no permission fixes to make\n')
    expect(readFileSync(join(root, '.github/workflows/build.yml'), 'utf8')).toBe(fixed)
  })

  it('--fix reports what it cannot fix and why', () => {
    const root = repository({
      '.github/workflows/r.yml':
        'on: push\npermissions: read-all\njobs:\n  p:\n    steps:\n      - run: docker push ghcr.io/acme/a:1\n',
    })
    const r = runCli(['lint', '--fix'], { cwd: root })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(
      /^ghcr-preflight: not fixed \.github\/workflows\/r\.yml: job "p": the workflow's block is read-all/,
    )
  })

  it('--fix and --diff do not go together', () => {
    const r = runCli(['lint', '--fix', '--diff'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--fix and --diff do not go together')
  })
})

describe('.pre-commit-hooks.yaml', () => {
  const hooks = parse(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Array<
    Record<string, unknown>
  >
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    bin: Record<string, string>
  }

  it('runs the package bin on workflow files, like actionlint and zizmor', () => {
    const ids = hooks.map((h) => h.id)
    expect(ids).toEqual(['ghcr-preflight', 'ghcr-preflight-fix'])
    for (const h of hooks) {
      expect(h.language).toBe('node')
      expect(String(h.entry).split(' ')[0]).toBe('ghcr-preflight')
      expect(Object.keys(pkg.bin)).toContain('ghcr-preflight')
      const files = new RegExp(String(h.files))
      expect(files.test('.github/workflows/build.yml')).toBe(true)
      expect(files.test('.github/workflows/build.yaml')).toBe(true)
      expect(files.test('src/config.yml')).toBe(false)
    }
    expect(hooks[0]!.entry).toBe('ghcr-preflight lint')
    expect(hooks[1]!.entry).toBe('ghcr-preflight lint --fix')
  })

  it('the entry takes the file names pre-commit passes', () => {
    const root = repository({ '.github/workflows/build.yml': PUSH_NO_BLOCK })
    const r = runCli(['lint', '.github/workflows/build.yml'], { cwd: root })
    expect(r.stdout).toMatch(/\[packages-permission-undeclared\]/)
  })
})
