import { describe, expect, it } from '@jest/globals'
import { expand, findPushes } from '../../src/workflow/pushers.js'
import { at, fixture, memoryFiles, model } from './helpers.js'

const text = fixture('pushers.yml')
const wf = model('pushers.yml')
const job = (id: string) => wf.jobs.find((j) => j.id === id)!

describe('findPushes', () => {
  it.each([
    // job, pushes, pushSeen, evidence kinds, [needle, after] of the first evidence
    [
      'preflight',
      true,
      true,
      ['preflight-action'],
      ['craigedmunds/ghcr-preflight/preflight@v1', undefined],
    ],
    ['build-push', true, true, ['build-push-action'], ['true', 'build-push:']],
    [
      'build-push-expression',
      true,
      true,
      ['build-push-action'],
      ['${{ github', 'build-push-expression:'],
    ],
    [
      'build-push-metadata',
      true,
      true,
      ['build-push-action'],
      ['true\n          tags: ${{ steps', 'build-push-metadata:'],
    ],
    ['bake', true, true, ['bake-action'], ['true', '  bake:']],
    ['docker-push', true, true, ['command'], ['ghcr.io/acme/cli:1', 'docker push']],
    ['podman-push', true, true, ['command'], ['ghcr.io/acme/podman:1', 'podman-push:']],
    ['buildah-push', true, true, ['command'], ['ghcr.io/acme/buildah:1', 'buildah-push:']],
    ['skopeo-copy', true, true, ['command'], ['ghcr.io/acme/skopeo:1', 'skopeo-copy:']],
    ['crane-push', true, true, ['command'], ['ghcr.io/acme/crane:1', 'crane-push:']],
    ['buildx-push', true, true, ['command'], ['ghcr.io/acme/buildx:1', 'buildx-push:']],
    ['env-push', true, true, ['command'], ['$IMAGE', 'env-push:']],
  ] as const)('%s pushes=%s', (id, pushes, pushSeen, kinds, [needle, after]) => {
    const r = findPushes(wf, job(id), 'ghcr.io')
    expect(r.pushes).toBe(pushes)
    expect(r.pushSeen).toBe(pushSeen)
    expect(r.evidence.map((e) => e.kind)).toEqual(kinds)
    expect({ line: r.evidence[0]!.line, column: r.evidence[0]!.column }).toEqual(
      at(text, needle, after),
    )
  })

  it('a local `./` step is this action when the repository root holds its action.yml', () => {
    const files = memoryFiles({ 'action.yml': 'name: ghcr-preflight\nruns:\n  using: composite\n' })
    const r = findPushes(wf, job('local-preflight'), 'ghcr.io', { root: '', files })
    expect(r.verdict).toBe('push')
    expect(r.evidence.map((e) => e.kind)).toEqual(['preflight-action'])
    expect(r.evidence[0]).toMatchObject(at(text, './', 'local-preflight:'))
    // Another repository's own action at `./` is not ghcr-preflight.
    const other = memoryFiles({ 'action.yml': 'name: metadata-action\nruns:\n  using: node20\n' })
    expect(
      findPushes(wf, job('local-preflight'), 'ghcr.io', { root: '', files: other }).verdict,
    ).toBe('no-push')
    expect(findPushes(wf, job('local-preflight'), 'ghcr.io').verdict).toBe('no-push')
  })

  it.each([
    'login-only',
    'local-preflight',
    'login-docker-hub',
    'build-no-push',
    'other-registry',
    'nothing',
  ])('%s does not push to ghcr.io', (id) => {
    const r = findPushes(wf, job(id), 'ghcr.io')
    expect(r.pushes).toBe(false)
    expect(r.evidence).toEqual([])
  })

  it('honours another registry host', () => {
    expect(findPushes(wf, job('other-registry'), 'quay.io').pushSeen).toBe(true)
    expect(findPushes(wf, job('docker-push'), 'quay.io').pushes).toBe(false)
  })

  it.each([
    ['preflight', ['ghcr.io/acme/one', 'ghcr.io/acme/two']],
    ['build-push', ['ghcr.io/acme/app:latest', 'docker.io/acme/app:latest']],
    ['build-push-expression', ['ghcr.io/acme/listed:1']],
    ['build-push-metadata', ['ghcr.io/acme/meta']],
    ['bake', ['ghcr.io/acme/baked:latest']],
    ['docker-push', ['ghcr.io/acme/cli:1']],
    ['podman-push', ['ghcr.io/acme/podman:1']],
    ['skopeo-copy', ['ghcr.io/acme/skopeo:1']],
    ['crane-push', ['ghcr.io/acme/crane:1']],
    ['buildx-push', ['ghcr.io/acme/buildx:1']],
    ['env-push', ['ghcr.io/acme/from-env']],
  ])('%s image references', (id, refs) => {
    const r = findPushes(wf, job(id), 'ghcr.io')
    expect(r.images.map((i) => i.raw)).toEqual(refs)
  })

  it('locates each image reference on its own line, not on an earlier mention', () => {
    const r = findPushes(wf, job('docker-push'), 'ghcr.io')
    // `docker build -t ghcr.io/acme/cli:1` comes first; the push is the next line.
    expect(r.images[0]).toMatchObject(at(text, 'ghcr.io/acme/cli:1', 'docker push'))
    const tags = findPushes(wf, job('build-push'), 'ghcr.io')
    expect(tags.images[1]).toMatchObject(at(text, 'docker.io/acme/app:latest'))
    const listed = findPushes(wf, job('build-push-expression'), 'ghcr.io')
    expect(listed.images[0]).toMatchObject(at(text, 'ghcr.io/acme/listed:1'))
  })

  it('records hosts and expressions', () => {
    const r = findPushes(wf, job('build-push'), 'ghcr.io')
    expect(r.images.map((i) => [i.host, i.expression])).toEqual([
      ['ghcr.io', false],
      ['docker.io', false],
    ])
    const script = model('job-blocks.yml')
    expect(findPushes(script, script.jobs[0]!, 'ghcr.io').pushes).toBe(false)
  })

  it('expands ${{ env.X }}, $X and ${X} from literal env values, nearest first', () => {
    const env = [
      new Map([['A', 'step']]),
      new Map([
        ['A', 'job'],
        ['B', 'b'],
      ]),
      new Map([['C', '${{ github.x }}']]),
    ]
    expect(expand('${{ env.A }}/$B/${B}/${{env.C}}/$D', env)).toBe('step/b/b/${{ github.x }}/$D')
  })
})
