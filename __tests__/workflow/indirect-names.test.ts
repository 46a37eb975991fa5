// Push detection where the name, the registry or the token reaches the push indirectly: through a
// variable standing for the registry, `xargs`, a shell function's `local`, a step output read via
// the step's env, a called workflow's input default, or the run's token handed to an image build.
// Each family comes from a real workflow of the corpus (cases 104, 110, 117, 118, 120, 121, 122).

import { describe, expect, it } from '@jest/globals'
import { lintFiles } from '../../src/workflow/lint-files.js'
import { findPushes } from '../../src/workflow/pushers.js'
import { commandWords, shellCommands } from '../../src/workflow/shell.js'
import { parsed } from './helpers.js'

function judge(job: string, on = 'push') {
  const model = parsed(`on: ${on}\njobs:\n  j:\n    runs-on: ubuntu-latest\n${job}`)
  return findPushes(model, model.jobs[0]!, 'ghcr.io', {})
}

const indent = (s: string, n: number) =>
  s
    .split('\n')
    .map((l) => ' '.repeat(n) + l)
    .join('\n')
const run = (script: string, extra = '') => `      - ${extra}run: |\n${indent(script, 10)}\n`
const login = (registry: string | undefined, password: string) =>
  `      - uses: docker/login-action@v3\n        with:\n${
    registry ? `          registry: ${registry}\n` : ''
  }          username: x\n          password: ${password}\n`
const steps = (...s: string[]) => `    steps:\n${s.join('')}`

describe('a command run by xargs, assignments after local/readonly', () => {
  it.each([
    ['xargs -I{}', ['xargs', '-I{}', 'docker', 'buildx', 'imagetools', 'create', '-t', 'x']],
    ['xargs -I {}', ['xargs', '-I', '{}', 'docker', 'buildx', 'imagetools', 'create', '-t', 'x']],
    ['xargs -r -n 1', ['xargs', '-r', '-n', '1', 'docker', 'buildx', 'imagetools', 'create']],
  ])('%s', (_name, ws) => {
    expect(commandWords(ws).words.slice(0, 4)).toEqual(['docker', 'buildx', 'imagetools', 'create'])
  })

  it.each([
    ['-I {}', ['xargs', '-I', '{}', 'cosign', 'sign', '--yes', '{}@${DIGEST}']],
    ['-I{}', ['xargs', '-I{}', 'cosign', 'sign', '--yes', '{}@${DIGEST}']],
    ['-i', ['xargs', '-i', 'cosign', 'sign', '--yes', '{}@${DIGEST}']],
    ['--replace=IMG', ['xargs', '--replace=IMG', 'cosign', 'sign', '--yes', 'IMG@${DIGEST}']],
  ])('xargs %s: the replace string is a value the file does not show', (_name, ws) => {
    expect(commandWords(ws).words).toEqual(['cosign', 'sign', '--yes', '${XARGS_ITEM}@${DIGEST}'])
  })

  // GitHub's own docker-publish.yml starter signs every tag this way; "{}" is not an image.
  it("the starter workflow's `xargs -I {} cosign sign {}@${DIGEST}` gives no image finding", () => {
    const text = `on: push
env:
  REGISTRY: ghcr.io
  IMAGE_NAME: \${{ github.repository }}
jobs:
  build:
    runs-on: ubuntu-latest
    permissions: { contents: read, packages: write, id-token: write }
    steps:
      - uses: docker/login-action@v3
        with:
          registry: \${{ env.REGISTRY }}
          username: \${{ github.actor }}
          password: \${{ secrets.GITHUB_TOKEN }}
      - id: meta
        uses: docker/metadata-action@v5
        with:
          images: \${{ env.REGISTRY }}/\${{ env.IMAGE_NAME }}
      - id: build-and-push
        uses: docker/build-push-action@v6
        with:
          push: true
          tags: \${{ steps.meta.outputs.tags }}
      - env:
          TAGS: \${{ steps.meta.outputs.tags }}
          DIGEST: \${{ steps.build-and-push.outputs.digest }}
        run: echo "\${TAGS}" | xargs -I {} cosign sign --yes {}@\${DIGEST}
`
    const findings = lintFiles([{ path: '.github/workflows/docker-publish.yml', text }], {
      place: { serverUrl: 'https://github.com', repository: 'acme/app', registry: 'ghcr.io' },
    })
    expect(findings.map((f) => `${f.id}: ${f.message}`)).toEqual([])
  })

  it('reads `local x=…` and `readonly y=…` as assignments', () => {
    for (const kw of ['local', 'readonly', 'export']) {
      const c = commandWords(shellCommands(`${kw} registry=ghcr.io/acme`)[0]!.words)
      expect(c.words).toEqual([])
      expect(c.assignments.get('registry')).toBe('ghcr.io/acme')
    }
  })

  it('a manifest list created through xargs after a run-token login is a push', () => {
    const r = judge(
      steps(
        login('ghcr.io', '${{ secrets.GITHUB_TOKEN }}'),
        run(
          'echo "${IMAGES,,}" | xargs -I{} \\\n  docker buildx imagetools create $(jq -cr \'.tags | map("-t " + .) | join(" ")\' <<< "$JSON") \\\n    $(printf \'{}@sha256:%s \' *)',
        ),
      ),
    )
    expect(r.verdict).toBe('push')
  })
})

describe('a name whose registry part is a variable', () => {
  const bothLogins =
    login(undefined, '${{ secrets.HUB_TOKEN }}') + login('ghcr.io', '${{ secrets.GITHUB_TOKEN }}')

  it('a matrix of registries read by `local registry=${{ matrix.registry }}` in a shell function', () => {
    const r = judge(
      `    strategy:\n      matrix:\n        registry: ["ghcr.io/acme", "docker.io/acme"]\n` +
        steps(
          bothLogins,
          run(
            'function publish() {\n  local registry=${{ matrix.registry }}\n  docker manifest push --purge "${registry}/core:${1}"\n}\npublish stable',
          ),
        ),
    )
    expect(r.verdict).toBe('push')
  })

  it.each([
    [
      'a name wholly from $GITHUB_ENV',
      'echo "IMAGE_NAMES=${names,,}" >> $GITHUB_ENV',
      '${{ env.IMAGE_NAMES }}',
    ],
    ['a name wholly from a shell variable', 'echo start', '${IMAGE_REF}'],
  ])('%s, pushed by digest after Docker Hub and ghcr.io logins', (_name, prepare, name) => {
    const r = judge(
      steps(
        run(prepare),
        bothLogins,
        `      - uses: docker/build-push-action@v6\n        with:\n          outputs: type=image,"name=${name}",push-by-digest=true,push=true\n`,
      ),
    )
    expect(r.verdict).toBe('push')
  })

  it('a secret Docker Hub namespace is not a registry', () => {
    const r = judge(
      steps(
        bothLogins,
        `      - uses: docker/build-push-action@v6\n        with:\n          outputs: type=image,name=\${{ secrets.HUB_NAMESPACE }}/app,push=true\n`,
      ),
    )
    expect(r.verdict).toBe('no-push')
  })

  it('a mirror whose target registry is itself unknown does not push to the source registry', () => {
    const r = judge(
      steps(
        login('ghcr.io', '${{ secrets.GITHUB_TOKEN }}'),
        login('${{ inputs.target }}', '${{ secrets.TARGET_PASSWORD }}'),
        run(
          'for tag in $TAGS; do\n  dst="${TARGET_REGISTRY}/${BASE}:${tag}"\n  docker buildx imagetools create --tag "${dst}" "ghcr.io/${BASE}:${tag}"\ndone',
          'env:\n          TARGET_REGISTRY: ${{ inputs.target }}\n        ',
        ),
      ),
    )
    expect(r.verdict).toBe('no-push')
  })
})

describe('values that reach the push indirectly', () => {
  it('a step output brought in through the step env (`JIB_TO_IMAGE: ${{ steps.n.outputs.image }}`)', () => {
    const r = judge(
      steps(
        run('echo "image=ghcr.io/${GITHUB_REPOSITORY,,}" >> "$GITHUB_OUTPUT"', 'id: n\n        '),
        `      - env:\n          JIB_TO_IMAGE: \${{ steps.n.outputs.image }}\n          JIB_TO_AUTH_PASSWORD: \${{ secrets.GITHUB_TOKEN }}\n        run: ./gradlew -Djib.to.image="$JIB_TO_IMAGE" -Djib.to.auth.password="$JIB_TO_AUTH_PASSWORD" :app:jib\n`,
      ),
    )
    expect(r.verdict).toBe('push')
    expect(r.images.map((i) => i.host)).toEqual(['ghcr.io'])
  })

  it("a called workflow's input default names the registry of its login and push", () => {
    const model = parsed(
      `on:\n  workflow_call:\n    inputs:\n      registry:\n        type: string\n        default: ghcr.io\njobs:\n  j:\n    runs-on: ubuntu-latest\n${steps(
        login('${{ inputs.registry }}', '${{ secrets.GITHUB_TOKEN }}'),
        `      - uses: acme/actions/push-image-with-signatures@v2\n        with:\n          container_registry: \${{ inputs.registry }}\n          image_ref: app:local\n`,
      )}`,
    )
    const r = findPushes(model, model.jobs[0]!, 'ghcr.io', {})
    expect(r.verdict).toBe('push')
    expect(r.credential).toBe('run-token')
  })
})

describe("the run's token handed to an image build that publishes", () => {
  const handed = (what: string) =>
    judge(
      steps(
        `      - ${what}\n        env:\n          GITHUB_ACTOR: \${{ github.actor }}\n          GITHUB_TOKEN: \${{ secrets.GITHUB_TOKEN }}\n`,
      ),
    )

  it.each([
    [
      'gradle action, bootBuildImage -PpublishImage',
      'uses: gradle/gradle-build-action@v2\n        with:\n          arguments: bootBuildImage -PpublishImage',
    ],
    ['a build-image script', 'run: nix develop --command build-image.sh'],
    ['mvn jib:build', 'run: ./mvnw -B package jib:build'],
  ])('%s: likely-push', (_name, what) => {
    const r = handed(what)
    expect(r.verdict).toBe('likely-push')
    expect(r.credential).toBe('run-token')
  })

  it.each([
    ['a Maven package publish', 'run: ./gradlew publish'],
    ['a release script', 'run: ./scripts/release.sh'],
  ])('%s: not an image push', (_name, what) => {
    expect(handed(what).verdict).toBe('no-push')
  })

  it('a stored token handed to an image build names no registry: no guess', () => {
    const r = judge(
      steps(
        `      - run: ./build-image.sh\n        env:\n          REGISTRY_TOKEN: \${{ secrets.REGISTRY_TOKEN }}\n`,
      ),
    )
    expect(r.verdict).toBe('no-push')
  })
})

describe('build tools that push the image themselves', () => {
  const afterLogin = (script: string) =>
    judge(steps(login('ghcr.io', '${{ secrets.GITHUB_TOKEN }}'), run(script)))

  it.each([
    [
      '.NET SDK, DefaultContainer profile',
      'dotnet publish src/Api/Api.csproj -c Release -p:PublishProfile=DefaultContainer -p:ContainerRegistry=ghcr.io -p:ContainerRepository=acme/api',
    ],
    [
      '.NET SDK, /t:PublishContainer',
      'dotnet publish --os linux --arch x64 /t:PublishContainer /p:ContainerRegistry=ghcr.io /p:ContainerRepository=acme/api',
    ],
    [
      '.NET SDK, registry in the project file',
      'dotnet publish src/Api -c Release -t:PublishContainer',
    ],
    [
      'Spring Boot, Maven',
      './mvnw spring-boot:build-image -Dspring-boot.build-image.imageName=ghcr.io/acme/api -Dspring-boot.build-image.publish=true',
    ],
    ['Spring Boot, Gradle', './gradlew bootBuildImage --imageName ghcr.io/acme/api --publishImage'],
  ])('%s', (_name, script) => {
    const r = afterLogin(script)
    expect(r.verdict).toBe('push')
    expect(r.evidence.filter((e) => e.push)).toHaveLength(1)
  })

  it.each([
    ['.NET SDK to the local daemon', 'dotnet publish -c Release -t:PublishContainer', false],
    [
      '.NET SDK to another registry',
      'dotnet publish -t:PublishContainer -p:ContainerRegistry=myacr.azurecr.io -p:ContainerRepository=api',
      true,
    ],
    ['a plain dotnet publish', 'dotnet publish -c Release -o out', true],
    ['Spring Boot without publish', './gradlew bootBuildImage --imageName ghcr.io/acme/api', false],
  ])('%s is no push', (_name, script, withLogin) => {
    const r = withLogin ? afterLogin(script) : judge(steps(run(script)))
    expect(r.verdict).toBe('no-push')
  })
})

describe('global options before the subcommand', () => {
  it.each([
    [
      'skopeo --insecure-policy copy, the run token only in --dest-creds',
      'skopeo --insecure-policy copy oci-archive:app.rock docker://ghcr.io/acme/app:1 --dest-creds "acme:${{ secrets.GITHUB_TOKEN }}"',
      'run-token',
    ],
    [
      'docker --context with a value',
      'echo "${{ secrets.GITHUB_TOKEN }}" | docker --context ci login ghcr.io -u x --password-stdin\ndocker --context ci push ghcr.io/acme/app:1',
      'run-token',
    ],
    [
      'helm --debug push',
      'echo "${{ secrets.GITHUB_TOKEN }}" | helm registry login ghcr.io -u x --password-stdin\nhelm --debug push chart.tgz oci://ghcr.io/acme/charts',
      'run-token',
    ],
    [
      'podman --log-level=debug push',
      'podman login ghcr.io -u x -p ${{ secrets.GHCR_PAT }}\npodman --log-level=debug push ghcr.io/acme/app:1',
      'stored',
    ],
  ])('%s', (_name, script, credential) => {
    const r = judge(steps(run(script)))
    expect(r.verdict).toBe('push')
    expect(r.credential).toBe(credential)
  })

  it('a global option before a pull is still a pull', () => {
    const r = judge(
      steps(
        login('ghcr.io', '${{ secrets.GITHUB_TOKEN }}'),
        run('docker --config ./cfg pull ghcr.io/acme/app:1'),
      ),
    )
    expect(r.verdict).toBe('no-push')
  })
})

describe('a login whose registry carries a namespace', () => {
  it.each([
    ['redhat-actions/podman-login', 'ghcr.io/acme'],
    ['docker/login-action', 'https://ghcr.io/acme'],
  ])('%s with `registry: %s` is a login to ghcr.io', (action, registry) => {
    const r = judge(
      steps(
        `      - uses: ${action}@v1\n        with:\n          registry: ${registry}\n          username: x\n          password: \${{ secrets.GITHUB_TOKEN }}\n`,
        run('make release'),
      ),
    )
    expect(r.verdict).toBe('likely-push')
    expect(r.credential).toBe('run-token')
  })
})

describe('credentials given on the push command itself', () => {
  it.each([
    [
      'podman push --creds',
      'podman push --creds "x:${{ secrets.GHCR_PAT }}" ghcr.io/acme/app:1',
      'stored',
    ],
    [
      'buildah push --creds',
      'buildah push --creds x:${{ secrets.CR_PAT }} app ghcr.io/acme/app:1',
      'stored',
    ],
    [
      'oras push -u … -p',
      'oras push -u x -p ${{ secrets.GHCR_TOKEN }} ghcr.io/acme/art:1 f.txt',
      'stored',
    ],
    [
      'cosign sign --registry-password',
      'cosign sign --yes --registry-username x --registry-password ${{ secrets.CR_PAT }} ghcr.io/acme/app@sha256:abc',
      'stored',
    ],
    [
      'podman push --creds with the run token',
      'podman push --creds "x:${{ github.token }}" ghcr.io/acme/app:1',
      'run-token',
    ],
  ])('%s', (_name, script, credential) => {
    const r = judge(steps(run(script)))
    expect(r.verdict).toBe('push')
    expect(r.credential).toBe(credential)
  })
})
