// The GHCR emulator's protocol surface: challenge, token endpoint, forwarding to the real
// registry (absolute and relative Location), DELETE, faults, latency and the request log.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startRegistry, startRig, type Rig } from '../../rig/index.mjs'
import { basic, baseGithub, rawPushProbe, REPO } from './support.js'

let rig: Rig
let startMs = 0
beforeAll(async () => {
  const t0 = performance.now()
  rig = await startRig()
  startMs = performance.now() - t0
})

/** Milliseconds `work` takes. */
async function timed(work: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now()
  await work()
  return performance.now() - t0
}
afterAll(async () => {
  await rig?.stop()
})

const json = async (res: Response): Promise<unknown> => JSON.parse(await res.text())

describe('start-up', () => {
  it('starts the registry and both emulators in about the time the registry alone takes', async () => {
    // Relative to the real registry started in the same test, interleaved (a loaded machine
    // stretches both): the emulators add next to nothing, and no fixed sleep hides in start-up.
    let registryMs = Infinity
    let rigMs = startMs
    for (let i = 0; i < 2; i++) {
      let registry: Awaited<ReturnType<typeof startRegistry>> | undefined
      registryMs = Math.min(registryMs, await timed(async () => (registry = await startRegistry())))
      await registry?.stop()
      let another: Rig | undefined
      rigMs = Math.min(rigMs, await timed(async () => (another = await startRig())))
      await another?.stop()
    }
    expect(rigMs).toBeLessThanOrEqual(3 * registryMs)
  })

  it('names the Debian package when docker-registry is missing', async () => {
    await expect(startRig({ registryBin: '/nonexistent/docker-registry' })).rejects.toThrow(
      /Debian package docker-registry.*apt-get install -y docker-registry/,
    )
  })

  it('names the Debian package when skopeo is missing', async () => {
    await expect(
      rig.skopeoPush({ image: 'a/b', username: 'u', password: 'p', bin: '/nonexistent/skopeo' }),
    ).rejects.toThrow(/Debian package skopeo/)
  })
})

describe('challenge and token endpoint (ghcr-failure-modes §2)', () => {
  it('answers an anonymous GET /v2/ with ghcr.io’s challenge and body', async () => {
    rig.setWorld({ repository: REPO, github: baseGithub() })
    const res = await fetch(`${rig.registryUrl}/v2/`)
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer realm="${rig.registryUrl}/token",service="ghcr.io",scope="repository:user/image:pull"`,
    )
    expect(await json(res)).toEqual({
      errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }],
    })
  })

  const tokenCases: {
    name: string
    scope: string
    credential?: string
    lenient?: boolean
    status: number
  }[] = [
    {
      name: 'anonymous pull of a public package',
      scope: 'repository:acme/public-one:pull',
      status: 200,
    },
    {
      name: 'anonymous pull of a private package',
      scope: 'repository:acme/linked-here:pull',
      status: 401,
    },
    {
      name: 'anonymous pull of a missing package',
      scope: 'repository:acme/nothing:pull',
      status: 401,
    },
    { name: 'anonymous push scope', scope: 'repository:acme/public-one:pull,push', status: 403 },
    {
      name: 'lenient: an unknown credential still gets a token',
      scope: 'repository:acme/x:pull,push',
      credential: 'ghp_notarealtoken',
      lenient: true,
      status: 200,
    },
    {
      name: 'lenient: an expired PAT still gets a token',
      scope: 'repository:acme/x:pull,push',
      credential: '$expired',
      lenient: true,
      status: 200,
    },
    {
      name: 'lenient: a PAT without rights gets a token',
      scope: 'repository:acme/x:pull,push',
      credential: '$pat_read',
      lenient: true,
      status: 200,
    },
    {
      name: 'strict (default): an unknown credential is refused',
      scope: 'repository:acme/x:pull,push',
      credential: 'ghp_notarealtoken',
      status: 403,
    },
    {
      name: 'strict (default): an expired PAT is refused',
      scope: 'repository:acme/x:pull,push',
      credential: '$expired',
      status: 403,
    },
    {
      name: 'strict (default): a valid PAT gets a token',
      scope: 'repository:acme/x:pull,push',
      credential: '$pat',
      status: 200,
    },
  ]
  it.each(tokenCases)('$name → $status', async (c) => {
    const github = baseGithub()
    // strict is the default (jikig-ai/soleur#8036); lenient is what hive-mind measured (§8).
    if (c.lenient) github.token_endpoint = 'lenient'
    const { tokens } = rig.setWorld({ repository: REPO, github })
    const secret = c.credential?.startsWith('$') ? tokens[c.credential.slice(1)] : c.credential
    const res = await fetch(
      `${rig.registryUrl}/token?service=ghcr.io&scope=${encodeURIComponent(c.scope)}`,
      secret ? { headers: { authorization: basic('u', secret) } } : {},
    )
    const body = (await json(res)) as { token?: string; errors?: { code: string }[] }
    const token = body.token ?? ''
    // A 200 carries an opaque token, not a JWT (§2.2), without the secret in it; a refusal
    // carries the registry error code.
    expect({
      status: res.status,
      opaque: /^[A-Za-z0-9+/=]+$/.test(token) && !token.includes('.'),
      carriesSecret:
        Boolean(secret) &&
        Buffer.from(token, 'base64')
          .toString()
          .includes(secret ?? ''),
      code: body.errors?.[0]?.code,
    }).toEqual({
      status: c.status,
      opaque: c.status === 200,
      carriesSecret: false,
      code: c.status === 200 ? undefined : c.status === 401 ? 'UNAUTHORIZED' : 'DENIED',
    })
  })
})

describe('forwarding to the real registry', () => {
  it('pulls a public package anonymously after a PAT pushed it', async () => {
    const { tokens } = rig.setWorld({ repository: REPO, github: baseGithub() })
    expect(
      (await rig.skopeoPush({ image: 'acme/public-one', username: 'u', password: tokens.pat })).ok,
    ).toBe(true)
    const tok = await fetch(
      `${rig.registryUrl}/token?scope=repository:acme/public-one:pull&service=ghcr.io`,
    )
    const { token } = (await json(tok)) as { token: string }
    const res = await fetch(`${rig.registryUrl}/v2/acme/public-one/manifests/latest`, {
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/vnd.oci.image.manifest.v1+json',
      },
    })
    expect(res.status).toBe(200)
    expect(((await json(res)) as { schemaVersion: number }).schemaVersion).toBe(2)
    // Anonymous push with that token is asked to authenticate.
    const post = await fetch(`${rig.registryUrl}/v2/acme/public-one/blobs/uploads/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(post.status).toBe(401)
    expect(post.headers.get('www-authenticate')).toContain(
      'scope="repository:acme/public-one:pull,push"',
    )
  })

  it('keeps clients on the emulator: absolute Location is rewritten', async () => {
    const { tokens } = rig.setWorld({ repository: REPO, github: baseGithub() })
    const res = await fetch(`${rig.registryUrl}/v2/craigedmunds/loc/blobs/uploads/`, {
      method: 'POST',
      headers: { authorization: basic('u', tokens.pat) },
    })
    expect(res.status).toBe(202)
    expect(res.headers.get('location')).toMatch(
      new RegExp(`^${rig.registryUrl}/v2/craigedmunds/loc/blobs/uploads/`),
    )
    expect(res.headers.get('location')).not.toContain(rig.realRegistryUrl)
  })

  it.each([
    { name: 'Basic credentials directly', auth: (s: string) => basic('anyone', s) },
    { name: 'the PAT itself as a bearer', auth: (s: string) => `Bearer ${s}` },
  ])('accepts $name on registry requests', async ({ auth }) => {
    const { tokens } = rig.setWorld({ repository: REPO, github: baseGithub() })
    const ok = await fetch(`${rig.registryUrl}/v2/craigedmunds/direct/blobs/uploads/`, {
      method: 'POST',
      headers: { authorization: auth(tokens.pat) },
    })
    expect(ok.status).toBe(202)
    const bad = await fetch(`${rig.registryUrl}/v2/craigedmunds/direct/blobs/uploads/`, {
      method: 'POST',
      headers: { authorization: auth('ghp_wrongwrongwrongwrongwrongwrongwrong') },
    })
    expect(bad.status).toBe(401)
    expect(await json(bad)).toEqual({
      errors: [
        {
          code: 'UNAUTHORIZED',
          message: 'unauthenticated: User cannot be authenticated with the token provided.',
        },
      ],
    })
  })

  it('refuses DELETE (upload cancellation) with 405 UNSUPPORTED like ghcr.io (§2.3)', async () => {
    const { tokens } = rig.setWorld({ repository: REPO, github: baseGithub() })
    const post = await fetch(`${rig.registryUrl}/v2/craigedmunds/del/blobs/uploads/`, {
      method: 'POST',
      headers: { authorization: basic('u', tokens.pat) },
    })
    const del = await fetch(post.headers.get('location') ?? '', {
      method: 'DELETE',
      headers: { authorization: basic('u', tokens.pat) },
    })
    expect(del.status).toBe(405)
    expect(((await json(del)) as { errors: { code: string }[] }).errors[0].code).toBe('UNSUPPORTED')
  })

  it('works with a registry that answers relative Location headers (http.relativeurls)', async () => {
    const relRig = await startRig({ relativeUrls: true })
    try {
      const { tokens } = relRig.setWorld({ repository: REPO, github: baseGithub() })
      const res = await fetch(`${relRig.registryUrl}/v2/craigedmunds/rel/blobs/uploads/`, {
        method: 'POST',
        headers: { authorization: basic('u', tokens.github) },
      })
      expect(res.status).toBe(202)
      expect(res.headers.get('location')).toMatch(/^\/v2\/craigedmunds\/rel\/blobs\/uploads\//)
      const pushed = await relRig.skopeoPush({
        image: 'craigedmunds/rel',
        username: 'u',
        password: tokens.github,
      })
      expect(pushed).toMatchObject({ ok: true, exitCode: 0 })
    } finally {
      await relRig.stop()
    }
  })

  it('answers quickly: 50 authorised HEADs cost a small multiple of the real registry', async () => {
    const { tokens } = rig.setWorld({ repository: REPO, github: baseGithub() })
    const path = `/v2/craigedmunds/speed/blobs/sha256:${'0'.repeat(64)}`
    const heads = async (base: string, status: number, auth?: string) => {
      for (let i = 0; i < 50; i++) {
        const res = await fetch(`${base}${path}`, {
          method: 'HEAD',
          headers: auth ? { authorization: auth } : {},
        })
        expect(res.status).toBe(status)
      }
    }
    // The baseline is the real registry behind it (its anonymous 401), timed interleaved in the
    // same test; the fastest round of each counts, since load only ever adds time.
    let emulatorMs = Infinity
    let registryMs = Infinity
    for (let i = 0; i < 2; i++) {
      emulatorMs = Math.min(
        emulatorMs,
        await timed(() => heads(rig.registryUrl, 404, basic('u', tokens.pat))),
      )
      registryMs = Math.min(registryMs, await timed(() => heads(rig.realRegistryUrl, 401)))
    }
    // Authorising and forwarding each request: ~1.5× the registry alone when measured.
    expect(emulatorMs).toBeLessThanOrEqual(4 * registryMs)
  })
})

describe('faults, latency and the log', () => {
  const v2 = () =>
    fetch(`${rig.registryUrl}/v2/`, { signal: AbortSignal.timeout(2000), redirect: 'manual' })

  const faultCases: {
    name: string
    target: 'registry' | 'token' | 'api'
    fault: string
    check: () => Promise<void>
  }[] = [
    {
      name: 'status:503',
      target: 'registry',
      fault: 'status:503',
      check: async () => {
        const res = await v2()
        expect(res.status).toBe(503)
        expect(((await json(res)) as { errors: { code: string }[] }).errors[0].code).toBe(
          'UNAVAILABLE',
        )
      },
    },
    {
      name: 'retry-after:2',
      target: 'registry',
      fault: 'retry-after:2',
      check: async () => {
        const res = await v2()
        expect(res.status).toBe(429)
        expect(res.headers.get('retry-after')).toBe('2')
      },
    },
    {
      name: 'html',
      target: 'registry',
      fault: 'html',
      check: async () => {
        const res = await v2()
        expect(res.status).toBe(403)
        expect(res.headers.get('content-type')).toContain('text/html')
        expect(await res.text()).toContain('Request forbidden by administrative rules')
      },
    },
    {
      name: 'hang',
      target: 'registry',
      fault: 'hang',
      check: async () => {
        await expect(
          fetch(`${rig.registryUrl}/v2/`, { signal: AbortSignal.timeout(200) }),
        ).rejects.toThrow()
      },
    },
    {
      name: 'reset',
      target: 'token',
      fault: 'reset',
      check: async () => {
        await expect(fetch(`${rig.registryUrl}/token?scope=x`)).rejects.toThrow()
      },
    },
    {
      name: 'redirect-other-host',
      target: 'registry',
      fault: 'redirect-other-host',
      check: async () => {
        const res = await v2()
        expect(res.status).toBe(307)
        expect(res.headers.get('location')).toBe(`${rig.otherHostUrl}/v2/`)
        expect(new URL(rig.otherHostUrl).hostname).not.toBe(new URL(rig.registryUrl).hostname)
      },
    },
    {
      name: 'realm-other-host',
      target: 'registry',
      fault: 'realm-other-host',
      check: async () => {
        const res = await v2()
        expect(res.status).toBe(401)
        expect(res.headers.get('www-authenticate')).toContain(`realm="${rig.otherHostUrl}/token"`)
        // The other host logs whether credentials reached it.
        await fetch(`${rig.otherHostUrl}/token`, { headers: { authorization: basic('u', 'p') } })
        expect(rig.log.find((e) => e.server === 'other-host')).toMatchObject({
          path: '/token',
          credential: 'sent',
        })
      },
    },
    {
      name: 'truncated',
      target: 'registry',
      fault: 'truncated',
      check: async () => {
        const res = await v2()
        await expect(res.text()).rejects.toThrow()
      },
    },
    {
      name: 'huge-json:2',
      target: 'token',
      fault: 'huge-json:2',
      check: async () => {
        const res = await fetch(`${rig.registryUrl}/token?scope=x`)
        expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(2 * 1024 * 1024)
      },
    },
    {
      name: 'slow-body:30',
      target: 'api',
      fault: 'slow-body:30',
      check: async () => {
        const t0 = performance.now()
        const res = await fetch(`${rig.apiUrl}/rate_limit`)
        expect(res.status).toBe(200)
        await res.text()
        expect(performance.now() - t0).toBeGreaterThan(300)
      },
    },
  ]
  it.each(faultCases)('$target fault $name', async ({ target, fault, check }) => {
    expect.hasAssertions()
    rig.setWorld({ repository: REPO, github: baseGithub() })
    rig.setFault(target, fault)
    await check()
    rig.setFault(target, null)
  })

  it('filters faults by method and path and counts uses', async () => {
    const { tokens } = rig.setWorld({ repository: REPO, github: baseGithub() })
    rig.setFault('registry', {
      fault: 'status:502',
      method: 'POST',
      path: /blobs\/uploads/,
      times: 1,
    })
    expect((await v2()).status).toBe(401)
    const post = () =>
      fetch(`${rig.registryUrl}/v2/craigedmunds/f/blobs/uploads/`, {
        method: 'POST',
        headers: { authorization: basic('u', tokens.pat) },
      })
    expect((await post()).status).toBe(502)
    expect((await post()).status).toBe(202)
  })

  it('rejects unknown faults and targets by name, and setWorld clears faults', async () => {
    expect(() => rig.setFault('registry', 'explode')).toThrow(
      /unknown fault explode: one of hang, reset/,
    )
    expect(() => rig.setFault('nowhere' as 'registry', 'hang')).toThrow(/unknown fault target/)
    rig.setFault('registry', 'status:500')
    rig.setWorld({ repository: REPO, github: baseGithub() })
    expect((await v2()).status).toBe(401)
  })

  it('injects latency per request', async () => {
    rig.setWorld({ repository: REPO, github: baseGithub() })
    // The fastest of three each: load only ever adds time.
    const fastest = async () => Math.min(await timed(v2), await timed(v2), await timed(v2))
    rig.setLatency(150)
    const slow = await fastest()
    expect(slow).toBeGreaterThanOrEqual(140)
    rig.setLatency(0)
    // Reset: the same request without the latency is at least 100 ms faster.
    expect(await fastest()).toBeLessThanOrEqual(slow - 100)
  })

  it('logs method, path, status and credential name — never a secret', async () => {
    const { tokens } = rig.setWorld({ repository: REPO, github: baseGithub() })
    await rawPushProbe(rig.registryUrl, 'craigedmunds/logged', tokens.pat)
    await fetch(`${rig.apiUrl}/rate_limit`, { headers: { authorization: `token ${tokens.pat}` } })
    expect(rig.log).toEqual([
      expect.objectContaining({
        server: 'token',
        method: 'GET',
        path: '/token',
        status: 200,
        credential: 'pat',
      }),
      expect.objectContaining({
        server: 'registry',
        method: 'POST',
        path: '/v2/craigedmunds/logged/blobs/uploads/',
        status: 202,
        credential: 'pat',
      }),
      expect.objectContaining({
        server: 'api',
        method: 'GET',
        path: '/rate_limit',
        status: 200,
        credential: 'pat',
      }),
    ])
    const text = JSON.stringify(rig.log)
    expect(text).not.toContain(tokens.pat)
    expect(text).not.toContain(Buffer.from(`u:${tokens.pat}`).toString('base64'))
  })
})

describe('scripted answers (the corpus replay)', () => {
  it('gives one credential a real answer at its step, everyone else the rules', async () => {
    const github = baseGithub()
    github.answers = [
      // tuna-os/tunaOS#642, replayed for the run's token at the upload start.
      {
        token: 'github',
        step: 'upload',
        status: 403,
        code: 'DENIED',
        message: 'permission_denied: write_package',
      },
      // A bare refusal at the token service (podman: "403 (Forbidden)"): the code alone.
      { token: 'pat', step: 'token', status: 403, code: 'DENIED' },
    ]
    const { tokens } = rig.setWorld({ repository: REPO, github })
    expect(await rawPushProbe(rig.registryUrl, 'craigedmunds/scripted', tokens.github)).toEqual({
      stage: 'upload',
      status: 403,
      message: 'permission_denied: write_package',
    })
    const token = await fetch(
      `${rig.registryUrl}/token?service=ghcr.io&scope=repository:craigedmunds/x:pull,push`,
      { headers: { authorization: basic('u', tokens.pat) } },
    )
    expect(token.status).toBe(403)
    expect(await json(token)).toEqual({ errors: [{ code: 'DENIED' }] })
    // Not scripted: the rules answer (a classic PAT with write:packages in its own namespace).
    expect(await rawPushProbe(rig.registryUrl, 'craigedmunds/scripted', tokens.oauth)).toEqual({
      stage: 'upload',
      status: 202,
      message: undefined,
    })
  })

  it('rejects an answer for a token the world does not have', () => {
    expect(() =>
      rig.setWorld({
        repository: REPO,
        github: { answers: [{ token: 'ghost', step: 'upload', status: 403 }] },
      }),
    ).toThrow(/answers\[0\]\.token must name one of github\.tokens/)
  })
})
