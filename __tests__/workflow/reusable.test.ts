import { describe, expect, it } from '@jest/globals'
import { checkReusableCeilings } from '../../src/workflow/reusable.js'
import { at, fixture, memoryFiles, model, parsed, place } from './helpers.js'

const files = [
  { path: '.github/workflows/reusable-caller.yml', model: model('reusable-caller.yml') },
  { path: '.github/workflows/reusable-callee.yml', model: model('reusable-callee.yml') },
  { path: '.github/workflows/reusable-only.yml', model: model('reusable-only.yml') },
  {
    path: '.github/workflows/reusable-inherit-caller.yml',
    model: model('reusable-inherit-caller.yml'),
  },
]
const findings = checkReusableCeilings(files, place)
const caller = fixture('reusable-caller.yml')
const forJob = (job: string) =>
  findings.filter(
    (f) =>
      f.file === '.github/workflows/reusable-caller.yml' &&
      f.line === at(caller, 'uses:', `  ${job}:`).line,
  )

describe('checkReusableCeilings', () => {
  it('local callee needs write, caller grants read → error on the uses line citing GitHub', () => {
    const f = forJob('grants-read')
    expect(f).toHaveLength(1)
    expect(f[0]).toMatchObject({
      id: 'reusable-workflow-permission-ceiling',
      severity: 'error',
      ...at(caller, './.github/workflows/reusable-callee.yml', '  grants-read:'),
    })
    expect(f[0]!.message).toContain(
      `"The nested job 'publish' is requesting 'packages: write', but is only allowed 'packages: read'."`,
    )
    expect(f[0]!.fix[0]).toContain('      packages: write # to push to ghcr.io')
    expect(f[0]!.fix[0]).toContain('      contents: read')
  })

  it('caller granting write → nothing', () => {
    expect(forJob('grants-write')).toEqual([])
  })

  it('caller with no block and no workflow block → warning naming the repository default', () => {
    const f = forJob('no-block')
    expect(f).toHaveLength(1)
    expect(f[0]).toMatchObject({ id: 'reusable-workflow-permission-ceiling', severity: 'warning' })
    expect(f[0]!.message).toContain('read-only for repositories created since February 2023')
    expect(f[0]!.message).toContain('Settings → Actions → General → Workflow permissions')
  })

  it('remote callee on a job that already grants packages: write → nothing to say', () => {
    expect(forJob('remote')).toEqual([])
  })

  it('remote callee on a job without write → not-checked notice', () => {
    const [f, ...rest] = checkReusableCeilings(
      [
        {
          path: '.github/workflows/c.yml',
          model: parsed(
            'on: push\njobs:\n  r:\n    uses: acme/shared/.github/workflows/b.yml@v1\n',
          ),
        },
      ],
      place,
    )
    expect(rest).toEqual([])
    expect(f).toMatchObject({ id: 'reusable-workflow-not-checked', severity: 'notice', line: 4 })
    expect(f!.message).toContain('not checked offline')
  })

  it("this action's own reusable workflow needs packages: write", () => {
    const f = forJob('own-reusable')
    expect(f).toHaveLength(1)
    expect(f[0]).toMatchObject({ id: 'reusable-workflow-permission-ceiling', severity: 'error' })
    expect(f[0]!.message).toContain("only allowed 'packages: none'")
  })

  it('local callee that is not among the files → not-checked notice', () => {
    const f = forJob('missing-callee')
    expect(f).toHaveLength(1)
    expect(f[0]).toMatchObject({ id: 'reusable-workflow-not-checked', severity: 'notice' })
    expect(f[0]!.message).toContain('which could not be read')
  })

  it('a callee job that pushes with inherited permissions → packages-permission-missing at the caller block', () => {
    const text = fixture('reusable-inherit-caller.yml')
    const f = findings.filter((x) => x.file === '.github/workflows/reusable-inherit-caller.yml')
    expect(f).toHaveLength(1)
    expect(f[0]).toMatchObject({
      id: 'packages-permission-missing',
      severity: 'error',
      ...at(text, 'permissions:'),
    })
    expect(f[0]!.message).toContain(
      'whose job "push" pushes to ghcr.io with the permissions it inherits',
    )
  })

  it('resolves callees relative to the caller repository root', () => {
    const nested = checkReusableCeilings(
      files.map((f) => ({ ...f, path: `examples/${f.path}` })),
      place,
    )
    expect(nested.map((f) => f.id).sort()).toEqual(findings.map((f) => f.id).sort())
  })
})

describe('called workflows judged as they are judged alone', () => {
  const wf = (path: string, text: string) => ({ path, model: parsed(text, path) })
  const callee = (job: string) =>
    `on:\n  workflow_call:\n    secrets:\n      token: {}\njobs:\n${job}`
  const pusherJob = (password: string, script = 'docker push ghcr.io/acme/app:1') =>
    `  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/login-action@v3\n        with:\n          registry: ghcr.io\n          username: x\n          password: ${password}\n      - run: ${script}\n`
  const caller = (permissions: string, secrets = '') =>
    `on: push\njobs:\n  images:\n    uses: ./.github/workflows/publish.yml\n${permissions}${secrets}`

  it('a callee job that logs in with the run token and runs make is a likely pusher through its caller', () => {
    const files = [
      wf('.github/workflows/ci.yml', caller('    permissions:\n      contents: read\n')),
      wf(
        '.github/workflows/publish.yml',
        callee(pusherJob('${{ secrets.GITHUB_TOKEN }}', 'make docker.push')),
      ),
    ]
    const [f, ...rest] = checkReusableCeilings(files, place)
    expect(rest).toEqual([])
    expect(f).toMatchObject({
      id: 'packages-permission-missing',
      severity: 'warning',
      file: '.github/workflows/ci.yml',
      line: 5,
      permissionFix: { job: 'images', scopes: { packages: 'write' }, likely: true },
    })
    expect(f!.message).toContain('whose job "build" may push to ghcr.io')
    expect(f!.related?.[0]?.file).toBe('.github/workflows/publish.yml')
  })

  it("a callee logging in with the caller's PAT needs nothing from the caller", () => {
    const files = [
      wf(
        '.github/workflows/ci.yml',
        caller(
          '    permissions:\n      contents: read\n',
          '    secrets:\n      token: ${{ secrets.GHCR_PAT }}\n',
        ),
      ),
      wf('.github/workflows/publish.yml', callee(pusherJob('${{ secrets.token }}'))),
    ]
    expect(checkReusableCeilings(files, place)).toEqual([])
  })

  it('…but the same secret mapped to the run token needs packages: write', () => {
    const files = [
      wf(
        '.github/workflows/ci.yml',
        caller(
          '    permissions:\n      contents: read\n',
          '    secrets:\n      token: ${{ secrets.GITHUB_TOKEN }}\n',
        ),
      ),
      wf('.github/workflows/publish.yml', callee(pusherJob('${{ secrets.token }}'))),
    ]
    expect(checkReusableCeilings(files, place).map((f) => [f.id, f.severity])).toEqual([
      ['packages-permission-missing', 'error'],
    ])
  })

  it('a caller with no block at all: undeclared, on the job key (contracts §5)', () => {
    const files = [
      wf('.github/workflows/ci.yml', caller('')),
      wf('.github/workflows/publish.yml', callee(pusherJob('${{ github.token }}'))),
    ]
    const [f] = checkReusableCeilings(files, place)
    expect(f).toMatchObject({ id: 'packages-permission-undeclared', line: 3, column: 3 })
  })

  it('reads a callee that was not given from the repository, and `$/` callees', () => {
    const repo = memoryFiles({
      '.github/workflows/publish.yml': callee(pusherJob('${{ github.token }}')),
    })
    for (const uses of ['./.github/workflows/publish.yml', '$/.github/workflows/publish.yml']) {
      const text = caller('    permissions: {}\n').replace('./.github/workflows/publish.yml', uses)
      const found = checkReusableCeilings([wf('.github/workflows/ci.yml', text)], place, {
        files: repo,
      })
      expect(found.map((f) => f.id)).toEqual(['packages-permission-missing'])
    }
  })

  it('a chain A → B → C: C requests write, B passes on A’s grant: reported where GitHub reports it', () => {
    const a = `on: push\njobs:\n  top:\n    permissions:\n      contents: write\n    uses: ./.github/workflows/b.yml\n`
    const b = `on: workflow_call\njobs:\n  middle:\n    uses: ./.github/workflows/c.yml\n`
    const c = `on: workflow_call\njobs:\n  inner:\n    permissions:\n      contents: read\n      packages: write\n    steps:\n      - run: oras push ghcr.io/acme/x:1 f\n`
    const files = [
      wf('.github/workflows/a.yml', a),
      wf('.github/workflows/b.yml', b),
      wf('.github/workflows/c.yml', c),
    ]
    const found = checkReusableCeilings(files, place)
    expect(found).toHaveLength(1)
    expect(found[0]).toMatchObject({
      id: 'reusable-workflow-permission-ceiling',
      severity: 'error',
      file: '.github/workflows/b.yml',
      ...at(b, './.github/workflows/c.yml'),
      // The fix belongs to the top caller's job.
      permissionFix: { file: '.github/workflows/a.yml', job: 'top' },
    })
    expect(found[0]!.message).toContain(
      `"The nested job 'inner' is requesting 'packages: write', but is only allowed 'packages: none'."`,
    )
  })

  it('a chain with a pusher that inherits: the top caller’s block', () => {
    const a = `on: push\npermissions:\n  contents: read\njobs:\n  top:\n    uses: ./.github/workflows/b.yml\n`
    const b = `on: workflow_call\njobs:\n  middle:\n    uses: ./.github/workflows/c.yml\n`
    const c = callee(pusherJob('${{ github.token }}'))
    const found = checkReusableCeilings(
      [
        wf('.github/workflows/a.yml', a),
        wf('.github/workflows/b.yml', b),
        wf('.github/workflows/c.yml', c),
      ],
      place,
    )
    expect(found.map((f) => [f.id, f.file, f.line])).toEqual([
      ['packages-permission-missing', '.github/workflows/a.yml', 2],
    ])
  })

  it('a call cycle ends', () => {
    const loop = `on: workflow_call\njobs:\n  again:\n    uses: ./.github/workflows/loop.yml\n`
    expect(
      checkReusableCeilings(
        [
          wf(
            '.github/workflows/ci.yml',
            caller('    permissions: {}\n').replace('publish', 'loop'),
          ),
          wf('.github/workflows/loop.yml', loop),
        ],
        place,
      ),
    ).toEqual([])
  })
})

describe('packages-permission-undeclared stays short', () => {
  it('the message is at most ~200 characters; the rest is in the fix steps', () => {
    const wf = (path: string, text: string) => ({ path, model: parsed(text, path) })
    const files = [
      wf(
        '.github/workflows/ci.yml',
        'on: push\njobs:\n  images:\n    uses: ./.github/workflows/publish.yml\n',
      ),
      wf(
        '.github/workflows/publish.yml',
        'on: workflow_call\njobs:\n  build-publish:\n    steps:\n      - uses: docker/login-action@v3\n        with:\n          registry: ghcr.io\n          password: ${{ secrets.GITHUB_TOKEN }}\n      - run: make docker.build\n',
      ),
    ]
    const [f] = checkReusableCeilings(files, place)
    expect(f!.id).toBe('packages-permission-undeclared')
    expect(f!.message.length).toBeLessThanOrEqual(200)
    expect(f!.fix[0]).toMatch(/^Check whether it pushes: it logs in to ghcr\.io/)
  })
})
