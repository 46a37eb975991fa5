// Issue 9 item 4: never a false pass on a name Docker refuses. Workflows written for these tests
// reproduce public patterns: the README-style `tags: ghcr.io/${{ github.repository }}:latest`
// (LunaTechLab/MoonTV#191), docker/metadata-action tags, and `${GITHUB_REPOSITORY,,}` in bash.
import { describe, expect, it } from '@jest/globals'
import type { Place } from '../../src/findings/types.js'
import { pushNameFacts } from '../../src/image/push-names-from-workflow.js'
import { judgePushLogin } from '../../src/image/push-login.js'
import { capitalsInRun, judgePushNames, type RunNames } from '../../src/image/push-names.js'
import { parseWorkflow } from '../../src/workflow/parse.js'

const place: Place = {
  serverUrl: 'https://github.com',
  repository: 'RiverOnVenus/MoonTV',
  registry: 'ghcr.io',
}
const run: RunNames = { repository: 'RiverOnVenus/MoonTV', owner: 'RiverOnVenus', actor: 'Bob' }
const FILE = '.github/workflows/image.yml'

function workflow(steps: string): string {
  return `on: push
env:
  IMAGE_NAME: \${{ github.repository }}
jobs:
  image:
    runs-on: ubuntu-latest
    permissions: { contents: read, packages: write }
    steps:
      - uses: actions/checkout@v4
      - id: ghcr
        uses: craigedmunds/ghcr-preflight@v1
        with:
          image: ghcr.io/\${{ github.repository }}
${steps}`
}

function judge(text: string, imageInputs = ['ghcr.io/RiverOnVenus/MoonTV'], r = run) {
  const parsed = parseWorkflow(text, FILE)
  if (!parsed.ok) throw new Error(parsed.message)
  const job = parsed.workflow.jobs[0]!
  const facts = pushNameFacts(parsed.workflow, job, FILE, 'ghcr.io')
  return judgePushNames({ facts, imageInputs, run: r, place, inputFindings: [] })
}

describe('capitalsInRun', () => {
  it.each<[string, string[]]>([
    ['ghcr.io/${{ github.repository }}:latest', ['RiverOnVenus', 'MoonTV']],
    ['ghcr.io/${{ github.repository_owner }}/app:${{ github.sha }}', ['RiverOnVenus']],
    ['ghcr.io/$GITHUB_REPOSITORY:1', ['RiverOnVenus', 'MoonTV']],
    ['ghcr.io/${GITHUB_REPOSITORY,,}:1', []],
    ['ghcr.io/owner/App:latest', ['App']],
    ['ghcr.io/owner/app:Latest', []],
    ['ghcr.io/${{ env.OWNER }}/app', []],
    ['ghcr.io/$(echo $GITHUB_REPOSITORY | tr A-Z a-z):1', []],
  ])('%s → %j', (raw, capitals) => {
    expect(capitalsInRun(raw, run).capitals).toEqual(capitals)
  })
})

describe('judgePushNames', () => {
  it('a push tag built from github.repository with capitals fails on the push line', () => {
    const r = judge(
      workflow(`      - uses: docker/build-push-action@v6
        with:
          push: true
          tags: ghcr.io/\${{ github.repository }}:latest
`),
    )
    expect(r.blocked).toBe(true)
    expect(r.findings).toHaveLength(1)
    expect(r.findings[0]).toMatchObject({
      id: 'image-name-uppercase',
      severity: 'error',
      file: FILE,
      line: 17,
    })
    expect(r.findings[0]!.message).toContain('"ghcr.io/RiverOnVenus/MoonTV:latest" in this run')
    expect(r.findings[0]!.message).toContain('repository name must be lowercase')
  })

  // games-on-whales/gow#250: lower-cased tags, but the registry cache ref built from the owner
  // ("failed to configure registry cache exporter: invalid reference format: repository name
  // (Skerga/gow/base) must be lowercase").
  it('a registry cache ref of a pushing step with capitals in this run fails on its line', () => {
    const r = judge(
      workflow(`      - uses: docker/build-push-action@v6
        with:
          push: true
          tags: ghcr.io/riveronvenus/moontv:edge
          cache-from: type=registry,ref=ghcr.io/\${{ github.repository_owner }}/moontv:buildcache
          cache-to: type=registry,ref=ghcr.io/\${{ github.repository_owner }}/moontv:buildcache,mode=max
`),
    )
    expect(r.blocked).toBe(true)
    expect(r.findings).toHaveLength(1)
    expect(r.findings[0]).toMatchObject({ id: 'image-name-uppercase', line: 19 })
    expect(r.findings[0]!.message).toContain('cache-to')
    expect(r.findings[0]!.message).toContain('"ghcr.io/RiverOnVenus/moontv:buildcache"')
  })

  it('a cache ref does not stand in for tags that cannot be read', () => {
    const parsed = parseWorkflow(
      workflow(`      - uses: docker/build-push-action@v6
        with:
          push: true
          tags: \${{ needs.prepare.outputs.tags }}
          cache-to: type=registry,ref=ghcr.io/riveronvenus/moontv:buildcache
`),
      FILE,
    )
    if (!parsed.ok) throw new Error(parsed.message)
    const facts = pushNameFacts(parsed.workflow, parsed.workflow.jobs[0]!, FILE, 'ghcr.io')
    expect(facts.unnamedPush).toBe(true)
  })

  it('the same tag is fine when the owner has no capitals in this run', () => {
    const r = judge(
      workflow(`      - uses: docker/build-push-action@v6
        with:
          push: true
          tags: ghcr.io/\${{ github.repository }}:latest
`),
      ['ghcr.io/octo/app'],
      { repository: 'octo/app', owner: 'octo', actor: 'octo' },
    )
    expect(r).toEqual({ findings: [], blocked: false })
  })

  it.each([
    [
      'docker/metadata-action tags',
      `      - id: meta
        uses: docker/metadata-action@v5
        with:
          images: ghcr.io/\${{ github.repository }}
      - uses: docker/build-push-action@v6
        with:
          push: true
          tags: \${{ steps.meta.outputs.tags }}
`,
    ],
    [
      'bash lower-casing',
      `      - run: docker push "ghcr.io/\${GITHUB_REPOSITORY,,}:latest"
`,
    ],
    [
      "the preflight's images output",
      `      - run: docker push "\${{ steps.ghcr.outputs.images }}:latest"
`,
    ],
    [
      // The common pattern: env IMAGE_NAME from github.repository, lower-cased into GITHUB_ENV.
      'an env variable lower-cased into GITHUB_ENV by an earlier step',
      `      - run: echo "IMAGE_NAME=\${IMAGE_NAME,,}" >> "$GITHUB_ENV"
      - uses: docker/build-push-action@v6
        with:
          push: true
          tags: ghcr.io/\${{ env.IMAGE_NAME }}:latest
`,
    ],
    [
      'tr in an earlier step',
      `      - run: echo "IMAGE=$(echo ghcr.io/$GITHUB_REPOSITORY | tr '[:upper:]' '[:lower:]')" >> "$GITHUB_ENV"
      - run: docker push "$IMAGE:latest"
`,
    ],
  ])(
    'input capitals pass (as a warning elsewhere) when the push is lower-cased: %s',
    (_n, steps) => {
      const r = judge(workflow(steps))
      expect(r.blocked).toBe(false)
      expect(r.findings).toEqual([])
    },
  )

  it("input capitals pass when a later job pushes this step's images output", () => {
    const text = `${workflow('')}  push:
    needs: image
    runs-on: ubuntu-latest
    steps:
      - run: docker push "\${{ needs.image.outputs.images }}:latest"
`
    const parsed = parseWorkflow(text, FILE)
    if (!parsed.ok) throw new Error(parsed.message)
    const facts = pushNameFacts(parsed.workflow, parsed.workflow.jobs[0]!, FILE, 'ghcr.io')
    const r = judgePushNames({
      facts,
      imageInputs: ['ghcr.io/RiverOnVenus/MoonTV'],
      run,
      place,
      inputFindings: [],
    })
    expect(r.blocked).toBe(false)
  })

  it('input capitals with no push in this job fail on the input line', () => {
    const r = judge(workflow(''))
    expect(r.blocked).toBe(true)
    expect(r.findings[0]).toMatchObject({ severity: 'error', file: FILE, line: 13, column: 11 })
    expect(r.findings[0]!.message).toContain('ghcr.io/riveronvenus/moontv')
  })

  it('input capitals fail when the workflow cannot be read', () => {
    const r = judgePushNames({
      facts: undefined,
      imageInputs: ['ghcr.io/Owner/app'],
      run,
      place,
      inputFindings: [],
    })
    expect(r.blocked).toBe(true)
    expect(r.findings[0]!.file).toBeUndefined()
  })

  it('a literal capital in a docker push command fails on its line', () => {
    const r = judge(
      workflow(`      - run: |
          docker build -t ghcr.io/riveronvenus/MoonTV:1 .
          docker push ghcr.io/riveronvenus/MoonTV:1
`),
      ['ghcr.io/riveronvenus/moontv'],
    )
    expect(r.blocked).toBe(true)
    expect(r.findings.map((f) => f.line)).toContain(16)
  })

  it('lower-case input and lower-case pushes: nothing to say', () => {
    const r = judge(
      workflow(`      - run: docker push ghcr.io/riveronvenus/moontv:1
`),
      ['ghcr.io/riveronvenus/moontv'],
    )
    expect(r).toEqual({ findings: [], blocked: false })
  })

  it('pushes to another registry are not judged', () => {
    const r = judge(
      workflow(`      - run: docker push docker.io/RiverOnVenus/moontv:1
`),
      ['ghcr.io/riveronvenus/moontv'],
    )
    expect(r.blocked).toBe(false)
  })
})

describe('judgePushLogin', () => {
  // docker/build-push-action#617, bsubio/cli#153: a job that pushes but never logs in.
  const facts = (steps: string, uses = 'craigedmunds/ghcr-preflight/preflight@v1') => {
    const parsed = parseWorkflow(
      workflow(steps).replace(/craigedmunds\/ghcr-preflight@v1/, uses),
      FILE,
    )
    if (!parsed.ok) throw new Error(parsed.message)
    return pushNameFacts(parsed.workflow, parsed.workflow.jobs[0]!, FILE, 'ghcr.io')
  }
  const PUSH = `      - uses: docker/build-push-action@v6
        with:
          push: true
          tags: ghcr.io/riveronvenus/moontv:1
`

  it('a push with no login anywhere in the job fails on the push line', () => {
    const r = judgePushLogin(facts(PUSH), place)
    expect(r.blocked).toBe(true)
    expect(r.findings[0]).toMatchObject({ id: 'registry-login-missing', file: FILE, line: 16 })
  })

  it.each([
    [
      'docker/login-action',
      `      - uses: docker/login-action@v3
        with:
          registry: ghcr.io
          username: x
          password: \${{ steps.ghcr.outputs.password }}
`,
    ],
    [
      'docker/login-action with the registry from an expression',
      `      - uses: docker/login-action@v3
        with:
          registry: \${{ vars.REGISTRY }}
`,
    ],
    [
      'docker login in a script',
      `      - run: echo "$T" | docker login ghcr.io -u x --password-stdin\n`,
    ],
    ['another login action', `      - uses: redhat-actions/podman-login@v1\n`],
    // imjasonh/setup-crane logs in to ghcr.io with github.token on its own.
    ['an action that may log in by itself', `      - uses: imjasonh/setup-crane@v0.4\n`],
    ['a local action', `      - uses: ./.github/actions/registry\n`],
    ['a saved login', `      - run: echo "DOCKER_CONFIG=/opt/docker" >> "$GITHUB_ENV"\n`],
  ])('a login by %s counts', (_n, login) => {
    expect(judgePushLogin(facts(login + PUSH), place).blocked).toBe(false)
  })

  it('the one-line composite logs in itself, unless login: false', () => {
    expect(judgePushLogin(facts(PUSH, 'craigedmunds/ghcr-preflight@v1'), place).blocked).toBe(false)
    const text = workflow(PUSH)
      .replace('craigedmunds/ghcr-preflight@v1', 'craigedmunds/ghcr-preflight@v1')
      .replace(
        '        with:\n          image:',
        '        with:\n          login: false\n          image:',
      )
    const parsed = parseWorkflow(text, FILE)
    if (!parsed.ok) throw new Error(parsed.message)
    const f = pushNameFacts(parsed.workflow, parsed.workflow.jobs[0]!, FILE, 'ghcr.io')
    expect(judgePushLogin(f, place).blocked).toBe(true)
  })

  it('a job that does not push needs no login', () => {
    expect(judgePushLogin(facts(''), place).blocked).toBe(false)
  })
})

describe('pushNameFacts: the github-token input', () => {
  const token = (value: string) => {
    const parsed = parseWorkflow(
      workflow('').replace(
        '          image: ghcr.io/${{ github.repository }}\n',
        `          image: ghcr.io/\${{ github.repository }}\n          github-token: ${value}\n`,
      ),
      FILE,
    )
    if (!parsed.ok) throw new Error(parsed.message)
    return pushNameFacts(parsed.workflow, parsed.workflow.jobs[0]!, FILE, 'ghcr.io')
      .githubTokenInput
  }
  it.each([
    ['${{ github.token }}', undefined],
    ['${{ secrets.GITHUB_TOKEN }}', undefined],
    ['${{ steps.app.outputs.token }}', '${{ steps.app.outputs.token }}'],
  ])('%s → %s', (value, expected) => {
    expect(token(value)).toBe(expected)
  })
})
