// Table tests of push detection on small workflows written for each pattern: which jobs push, may
// push or only pull, with which token, and where the evidence is.

import { describe, expect, it } from '@jest/globals'
import { lintFiles } from '../../src/workflow/lint-files.js'
import { findPushes, type PushOptions } from '../../src/workflow/pushers.js'
import { memoryFiles, parsed } from './helpers.js'

/** The job `j` of a workflow whose steps are `steps` (YAML, indented for `steps:`). */
function judge(steps: string, options: PushOptions = {}, extra = '') {
  const text = `on: push\n${extra}jobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n${steps}`
  const model = parsed(text)
  return { r: findPushes(model, model.jobs[0]!, 'ghcr.io', options), text }
}

const login = (password: string) =>
  `      - uses: docker/login-action@v3\n        with:\n          registry: ghcr.io\n          username: x\n          password: ${password}\n`
const run = (script: string) =>
  `      - run: |\n${script
    .split('\n')
    .map((l) => `          ${l}`)
    .join('\n')}\n`

describe('pushes seen in scripts', () => {
  it.each([
    ['helm push to oci://ghcr.io', 'helm push chart-1.0.0.tgz oci://ghcr.io/acme/charts'],
    ['oras push (the reference is the first argument)', 'oras push ghcr.io/acme/sbom:1 sbom.json'],
    ['oras copy', 'oras copy docker.io/library/alpine:3 ghcr.io/acme/alpine:3'],
    [
      'flux push artifact',
      'flux push artifact oci://ghcr.io/acme/manifests:1 --path=./deploy --source=x --revision=y',
    ],
    ['buildx --push', 'docker buildx build --push -t ghcr.io/acme/app:1 .'],
    [
      'buildx imagetools create',
      'docker buildx imagetools create -t ghcr.io/acme/app:1 ghcr.io/acme/app@sha256:abc',
    ],
    ['crane copy', 'crane copy docker.io/library/alpine:3 ghcr.io/acme/alpine:3'],
    ['crane append -t', 'crane append -b alpine -f layer.tar -t ghcr.io/acme/app:1'],
    ['crane mutate', 'crane mutate ghcr.io/acme/app:1 --label a=b'],
    ['regctl image copy', 'regctl image copy docker.io/library/alpine:3 ghcr.io/acme/alpine:3'],
    ['a path to a tool', './regctl image copy docker.io/a:1 ghcr.io/acme/a:1'],
    ['skopeo copy to docker://', 'skopeo copy --all oci-archive:x.tar docker://ghcr.io/acme/app:1'],
    ['cosign sign', 'cosign sign --yes ghcr.io/acme/app@sha256:abc'],
    ['podman manifest push', 'podman manifest push --all list docker://ghcr.io/acme/app:1'],
    ['pack build --publish', 'pack build ghcr.io/acme/app:1 --builder b --publish'],
    ['kaniko', '/kaniko/executor --context . --destination=ghcr.io/acme/app:1'],
    ['ko with KO_DOCKER_REPO on the command', 'KO_DOCKER_REPO=ghcr.io/acme ko build ./cmd/app'],
    ['docker push after a variable', 'IMAGE=ghcr.io/acme/app\ndocker push "$IMAGE:1"'],
    [
      'a registry cache export',
      'docker buildx build --cache-to type=registry,ref=ghcr.io/acme/app:cache .',
    ],
  ])('%s', (_name, script) => {
    const { r } = judge(run(script))
    expect(r.verdict).toBe('push')
    expect(r.credential).toBe('run-token')
    expect(r.evidence.filter((e) => e.push)).toHaveLength(1)
  })

  it.each([
    ['docker build without --push', 'docker build -t ghcr.io/acme/app:1 .'],
    ['a push to another registry', 'docker push quay.io/acme/app:1'],
    ['ko --local', 'KO_DOCKER_REPO=ghcr.io/acme ko build --local .'],
    ['a pull', 'docker pull ghcr.io/acme/app:1'],
    ['tests', 'make test'],
  ])('%s is not a push', (_name, script) => {
    expect(judge(run(script)).r.verdict).toBe('no-push')
  })

  it('locates each command on its own line', () => {
    const { r, text } = judge(
      run('docker build -t ghcr.io/acme/app:1 .\ndocker push ghcr.io/acme/app:1'),
    )
    const line = text.split('\n').findIndex((l) => l.includes('docker push')) + 1
    expect(r.evidence[0]).toMatchObject({ line, push: true })
  })
})

describe('actions that push', () => {
  it.each([
    [
      'build-push-action with names in outputs',
      '      - uses: docker/build-push-action@v6\n        with:\n          outputs: type=image,name=ghcr.io/acme/app,push=${{ env.PUSH }}\n',
    ],
    [
      'build-push-action with a registry cache only',
      '      - uses: docker/build-push-action@v6\n        with:\n          push: false\n          cache-to: type=registry,ref=ghcr.io/acme/app:cache\n',
    ],
    [
      'a retry action running a push',
      '      - uses: nick-fields/retry@v3\n        with:\n          command: docker push ghcr.io/acme/app:1\n',
    ],
    [
      'attestation pushed to the registry',
      '      - uses: actions/attest-build-provenance@v2\n        with:\n          subject-name: ghcr.io/acme/app\n          push-to-registry: true\n',
    ],
    [
      'goreleaser with ghcr.io images in its config',
      '      - uses: goreleaser/goreleaser-action@v6\n        with:\n          args: release --clean\n',
    ],
    [
      'a third-party push action naming the registry',
      '      - uses: someone/docker-publish@v1\n        with:\n          registry: ghcr.io\n          image: acme/app\n',
    ],
  ])('%s', (_name, steps) => {
    const files = memoryFiles({
      '.goreleaser.yaml': 'dockers:\n  - image_templates: ["ghcr.io/acme/app:{{ .Tag }}"]\n',
    })
    expect(judge(steps, { root: '', files }).r.verdict).toBe('push')
  })

  it('goreleaser --snapshot, or a config without ghcr.io images, does not push', () => {
    const files = memoryFiles({
      '.goreleaser.yml': 'dockers:\n  - image_templates: ["quay.io/a/b"]\n',
    })
    const action =
      '      - uses: goreleaser/goreleaser-action@v6\n        with:\n          args: release\n'
    expect(judge(action, { root: '', files }).r.verdict).toBe('no-push')
    const snapshot = memoryFiles({
      '.goreleaser.yml': 'dockers:\n  - image_templates: ["ghcr.io/a/b"]\n',
    })
    expect(
      judge(run('goreleaser release --snapshot'), { root: '', files: snapshot }).r.verdict,
    ).toBe('no-push')
  })

  it('setup-ko logs in to ghcr.io with the run token and sets the repository ko pushes to', () => {
    const { r } = judge('      - uses: ko-build/setup-ko@v0.8\n' + run('ko build ./cmd/app'))
    expect(r.verdict).toBe('push')
    expect(r.credential).toBe('run-token')
    expect(r.evidence.map((e) => e.kind)).toEqual(['login-action', 'command'])
  })
})

describe('which token the push uses', () => {
  it('a PAT login: the push needs no packages: write', () => {
    const { r } = judge(login('${{ secrets.CR_PAT }}') + run('docker push ghcr.io/acme/app:1'))
    expect(r).toMatchObject({ verdict: 'push', credential: 'stored' })
    expect(r.storedLogin?.credential?.shown).toBe('secrets.CR_PAT')
  })

  it('a GitHub App token made by an earlier step is a stored token too', () => {
    const { r } = judge(
      login('${{ steps.app.outputs.token }}') + run('docker push ghcr.io/acme/app:1'),
    )
    expect(r.credential).toBe('stored')
  })

  it.each([
    [
      'docker login -p',
      'docker login ghcr.io -u x -p ${{ secrets.GHCR_PAT }}\ndocker push ghcr.io/a/b:1',
    ],
    [
      'a token piped into --password-stdin',
      'echo "${{ secrets.GHCR_PAT }}" | docker login ghcr.io -u x --password-stdin\ndocker push ghcr.io/a/b:1',
    ],
    [
      'helm registry login',
      'helm registry login ghcr.io -u x -p ${{ secrets.PAT }}\nhelm push c.tgz oci://ghcr.io/a',
    ],
  ])('%s with a secret', (_name, script) => {
    expect(judge(run(script)).r.credential).toBe('stored')
  })

  it("the run's token through env", () => {
    const { r } = judge(
      run('echo "$TOKEN" | docker login ghcr.io -u x --password-stdin\ndocker push ghcr.io/a/b:1'),
      {},
      'env:\n  TOKEN: ${{ secrets.GITHUB_TOKEN }}\n',
    )
    expect(r.credential).toBe('run-token')
  })

  it('a called workflow secret is what the caller passes', () => {
    const steps = login('${{ secrets.registry-token }}') + run('docker push ghcr.io/a/b:1')
    const mapped = new Map([['registry-token', '${{ secrets.GITHUB_TOKEN }}']])
    expect(judge(steps, { secrets: mapped }).r.credential).toBe('run-token')
    expect(judge(steps).r.credential).toBe('stored')
  })
})

describe('likely pushers and pull-only logins', () => {
  it('a login with the run token, then a make target: likely, saying why', () => {
    const { r } = judge(login('${{ secrets.GITHUB_TOKEN }}') + run('make release'))
    expect(r.verdict).toBe('likely-push')
    expect(r.likelyReason).toMatch(
      /^it logs in to ghcr\.io with secrets\.GITHUB_TOKEN at line \d+, then runs `make release` at line \d+, which may push$/,
    )
  })

  it.each([
    ['a repository script', './scripts/publish.sh'],
    ['npm run', 'npm run release'],
    ['python', 'python3 tools/mirror.py'],
  ])('a login then %s is likely', (_name, script) => {
    expect(judge(login('${{ github.token }}') + run(script)).r.verdict).toBe('likely-push')
  })

  it('a login then a third-party builder action is likely', () => {
    const steps =
      login('${{ github.token }}') +
      '      - uses: home-assistant/builder@2024.03.5\n        with:\n          args: --all\n'
    expect(judge(steps).r.verdict).toBe('likely-push')
  })

  it.each([
    ['a login alone', ''],
    ['a login then tests', run('make test-e2e')],
  ])('%s after a pull is a pull-only job', (_name, more) => {
    const steps = login('${{ github.token }}') + run('docker pull ghcr.io/acme/base:1') + more
    expect(judge(steps).r).toMatchObject({ verdict: 'no-push', evidence: [] })
  })

  it('a login alone is a pull-only job', () => {
    expect(judge(login('${{ github.token }}')).r.verdict).toBe('no-push')
  })

  it('a step handed the run token and the registry name may push with it', () => {
    const steps =
      '      - name: Sync to ghcr.io/acme\n        env:\n          DEST_CREDS: ${{ github.actor }}:${{ secrets.GITHUB_TOKEN }}\n        run: ./hack/sync.sh\n'
    const { r } = judge(steps)
    expect(r.verdict).toBe('likely-push')
    expect(r.likelyReason).toContain('hands secrets.GITHUB_TOKEN to `./hack/sync.sh`')
  })
})

describe('values computed by earlier steps', () => {
  it('tags written to $GITHUB_OUTPUT by a shell step', () => {
    const steps =
      run(
        'IMAGE=acme/app\nTAGS="${IMAGE}:1,ghcr.io/${IMAGE}:1"\necho "tags=${TAGS}" >> "$GITHUB_OUTPUT"',
      ).replace('      - run', '      - id: prep\n        run') +
      login('${{ github.token }}') +
      '      - uses: docker/build-push-action@v6\n        with:\n          push: true\n          tags: ${{ steps.prep.outputs.tags }}\n'
    const { r } = judge(steps)
    expect(r.verdict).toBe('push')
    expect(r.images.map((i) => i.raw)).toEqual(['acme/app:1', 'ghcr.io/acme/app:1'])
  })

  it('an image name written to $GITHUB_ENV', () => {
    const steps = run('echo "IMAGE=ghcr.io/acme/app" >> $GITHUB_ENV') + run('docker push $IMAGE:1')
    expect(judge(steps).r.verdict).toBe('push')
  })

  it('a typo of the registry is a push meant for it', () => {
    const { r } = judge(login('${{ github.token }}') + run('docker push ghrc.io/acme/app:1'))
    expect(r.verdict).toBe('push')
  })
})

describe('local actions', () => {
  const composite = [
    'name: publish',
    'inputs:',
    '  registry: {}',
    '  token: {}',
    'runs:',
    '  using: composite',
    '  steps:',
    '    - shell: bash',
    '      run: |',
    '        echo "${{ inputs.token }}" | docker login ${{ inputs.registry }} -u x --password-stdin',
    '        docker push ${{ inputs.registry }}/acme/app:1',
  ].join('\n')
  const files = memoryFiles({ '.github/actions/publish/action.yml': composite })
  const step = (token: string) =>
    `      - uses: ./.github/actions/publish\n        with:\n          registry: ghcr.io\n          token: ${token}\n`

  it("a composite action's steps are read in place, with the inputs the step passes", () => {
    const { r, text } = judge(step('${{ github.token }}'), { root: '', files })
    expect(r.verdict).toBe('push')
    expect(r.credential).toBe('run-token')
    const usesLine = text.split('\n').findIndex((l) => l.includes('./.github/actions/publish')) + 1
    for (const e of r.evidence) {
      expect(e.line).toBe(usesLine)
      expect(e.description).toContain('(in ./.github/actions/publish)')
    }
    expect(judge(step('${{ secrets.PAT }}'), { root: '', files }).r.credential).toBe('stored')
  })

  it('a local JavaScript action that says it pushes and is given the registry', () => {
    const js = memoryFiles({
      'action.yml':
        'name: Push To Registry\ninputs:\n  registry: {}\nruns:\n  using: node20\n  main: dist/index.js\n',
    })
    const steps =
      '      - uses: ./\n        with:\n          registry: ghcr.io/acme\n          password: ${{ github.token }}\n'
    const { r } = judge(steps, { root: '', files: js })
    expect(r).toMatchObject({ verdict: 'push', credential: 'run-token' })
  })
})

describe('image findings on references built with expressions', () => {
  it('a typo host is reported even when the rest is an expression', () => {
    const text =
      'on: push\njobs:\n  j:\n    permissions: { packages: write }\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          push: true\n          tags: gchr.io/${{ github.actor }}/app:1\n'
    const found = lintFiles([{ path: '.github/workflows/w.yml', text }], {
      place: { serverUrl: 'https://github.com', repository: 'acme/app', registry: 'ghcr.io' },
    })
    expect(found.map((f) => [f.id, f.line])).toEqual([['image-registry-mismatch', 9]])
    expect(found[0]!.message).toContain('"gchr.io", which looks like a typo for "ghcr.io"')
  })
})

describe('bash case conversion in names is not a list separator', () => {
  // `${VAR,,}` is the README's own advice for lower-casing; its commas split nothing.
  it.each([
    [
      'a tags list',
      '      - uses: docker/build-push-action@v6\n        with:\n          push: true\n          tags: ghcr.io/${OWNER,,}/app:1,ghcr.io/acme/app:2\n',
    ],
    [
      'a shell variable holding it',
      '      - run: |\n          IMAGE="ghcr.io/${GITHUB_REPOSITORY,,}"\n          docker push "${IMAGE}:1"\n',
    ],
    ['a default value with a comma', '      - run: docker push "ghcr.io/acme/${NAME:-a,b}:1"\n'],
  ])('%s', (_name, steps) => {
    const text = `on: push\njobs:\n  j:\n    permissions: { packages: write }\n    steps:\n      - uses: docker/login-action@v3\n        with: { registry: ghcr.io, username: x, password: "\${{ github.token }}" }\n${steps}`
    const found = lintFiles([{ path: '.github/workflows/w.yml', text }], {
      place: { serverUrl: 'https://github.com', repository: 'acme/app', registry: 'ghcr.io' },
    })
    expect(found.map((f) => `${f.id}@${f.line}`)).toEqual([])
  })
})
