// The GHCR emulator in front of the real Debian registry, driven by the real skopeo client:
// each row is one cause from ghcr-failure-modes.md §9 and the exact answer ghcr.io gives.
// The hand-made probe (token + POST upload) must agree with skopeo on allow/deny and message.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startRig, type Rig } from '../../rig/index.mjs'
import { baseGithub, rawPushProbe, REPO } from './support.js'

const SCOPES = 'permission_denied: The token provided does not match expected scopes.'
const UNAUTHENTICATED = 'unauthenticated: User cannot be authenticated with the token provided.'

interface Case {
  name: string
  repository?: string
  token: string
  image: string
  world?: (github: Record<string, unknown>) => void
  ok: boolean
  status?: number
  message?: string
  /**
   * What skopeo prints when it differs from the registry's message: a refused HEAD (blob check
   * before the upload) has no body, so the client can only say 403/401.
   */
  skopeoSays?: string
  /** Where the probe stops: at the token endpoint (strict mode) or at the upload POST. */
  stage?: 'token' | 'upload'
}

const cases: Case[] = [
  {
    name: 'run token, packages: write, new package in own user namespace',
    token: 'github',
    image: 'craigedmunds/fresh-user',
    ok: true,
  },
  {
    name: 'run token, packages: write, new package in own org',
    repository: 'acme/api',
    token: 'github',
    image: 'acme/fresh-org',
    ok: true,
  },
  {
    name: 'run token, packages: write, existing package linked here (inherited access)',
    repository: 'acme/api',
    token: 'github',
    image: 'acme/linked-here',
    ok: true,
  },
  {
    name: 'run token, packages: write, package elsewhere but granted in Manage Actions access',
    repository: 'acme/api',
    token: 'github',
    image: 'acme/granted',
    ok: true,
  },
  {
    // The installation's words in a personal namespace too (macbre/push-to-ghcr#31).
    name: 'run token, packages: read, user namespace',
    token: 'github_ro',
    image: 'craigedmunds/ro-user',
    ok: false,
    status: 403,
    message: 'installation not allowed to Create organization package',
  },
  {
    name: 'run token, packages: read, new org package',
    repository: 'acme/api',
    token: 'github_ro',
    image: 'acme/ro-new',
    ok: false,
    status: 403,
    message: 'installation not allowed to Create organization package',
  },
  {
    name: 'run token, packages: none, existing org package',
    repository: 'acme/api',
    token: 'github_none',
    image: 'acme/linked-here',
    ok: false,
    status: 403,
    message: 'installation not allowed to Write organization package',
    skopeoSays: '403 (Forbidden)',
  },
  {
    name: 'run token, user package linked to another repository',
    token: 'github',
    image: 'craigedmunds/backstage',
    ok: false,
    status: 403,
    message: 'permission_denied: write_package',
  },
  {
    // write_package for organisation packages too (tuna-os/tunaOS#642, danger/danger-js#1414).
    name: 'run token, org package linked to another repository',
    repository: 'acme/api',
    token: 'github',
    image: 'acme/linked-elsewhere',
    ok: false,
    status: 403,
    message: 'permission_denied: write_package',
  },
  {
    name: 'run token, linked here but the org turned inheritance off',
    repository: 'noinherit/api',
    token: 'github',
    image: 'noinherit/linked',
    ok: false,
    status: 403,
    message: 'permission_denied: write_package',
  },
  {
    name: 'run token, org refuses package creation',
    repository: 'strictorg/api',
    token: 'github',
    image: 'strictorg/new',
    ok: false,
    status: 403,
    message: 'installation not allowed to Create organization package',
  },
  {
    // No installation of that account for this token (PwnKit-Labs/pwnkit#184, openwrt/buildbot#2).
    name: 'run token, another owner namespace',
    token: 'github',
    image: 'other-user/thing',
    ok: false,
    status: 403,
    message: 'permission_denied: The requested installation does not exist.',
  },
  {
    name: 'classic PAT with write:packages, own namespace',
    token: 'pat',
    image: 'craigedmunds/pat-pushed',
    ok: true,
  },
  {
    name: 'classic PAT, org member with write, new package',
    token: 'pat',
    image: 'acme/pat-new',
    ok: true,
  },
  {
    name: 'classic PAT without write:packages',
    token: 'pat_read',
    image: 'craigedmunds/pat-read',
    ok: false,
    status: 403,
    message: SCOPES,
  },
  {
    name: 'OAuth token with write:packages, own namespace',
    token: 'oauth',
    image: 'craigedmunds/oauth-pushed',
    ok: true,
  },
  {
    name: 'fine-grained PAT',
    token: 'fine',
    image: 'craigedmunds/fine',
    ok: false,
    status: 403,
    message: SCOPES,
  },
  {
    name: 'expired PAT, lenient token endpoint',
    token: 'expired',
    image: 'craigedmunds/expired',
    world: (g) => void (g.token_endpoint = 'lenient'),
    ok: false,
    status: 401,
    message: UNAUTHENTICATED,
    skopeoSays: 'unauthorized',
  },
  {
    // The default (jikig-ai/soleur#8036).
    name: 'expired PAT, strict token endpoint',
    token: 'expired',
    image: 'craigedmunds/expired',
    ok: false,
    status: 403,
    message: 'denied',
    stage: 'token',
  },
  {
    name: 'org forbids classic PATs',
    token: 'pat',
    image: 'banned/app',
    ok: false,
    status: 403,
    message:
      'permission_denied: `banned` forbids access via a personal access token (classic). Please use a GitHub App, OAuth App, or a personal access token with fine-grained permissions.',
  },
  {
    name: 'PAT not authorised for SAML SSO',
    token: 'pat_nosso',
    image: 'ssoorg/app',
    ok: false,
    status: 401,
    message: 'unauthorized',
  },
  {
    name: "PAT into another user's namespace",
    token: 'pat_stranger',
    image: 'craigedmunds/strange',
    ok: false,
    status: 403,
    message: 'permission_denied: create_package',
  },
  {
    name: "PAT onto another user's existing package",
    token: 'pat_stranger',
    image: 'craigedmunds/backstage',
    ok: false,
    status: 403,
    message: 'permission_denied: write_package',
    skopeoSays: '403 (Forbidden)',
  },
  {
    name: 'PAT of a non-member onto an existing org package',
    token: 'pat_stranger',
    image: 'acme/linked-elsewhere',
    ok: false,
    status: 403,
    message: 'permission_denied: write_package',
    skopeoSays: '403 (Forbidden)',
  },
  {
    // The permission_denied prefix marks another App's token (product-os/flowzone#516).
    name: 'another GitHub App installation token on an org',
    token: 'app',
    image: 'acme/app-new',
    ok: false,
    status: 403,
    message: 'permission_denied: installation not allowed to Create organization package',
  },
  {
    name: 'another GitHub App installation token on an existing package in a user namespace',
    token: 'app',
    image: 'craigedmunds/backstage',
    ok: false,
    status: 403,
    message: 'permission_denied: installation not allowed to Write organization package',
    skopeoSays: '403 (Forbidden)',
  },
  {
    // An organisation-level refusal no package setting changes (airbus/sen#173).
    name: 'run token, packages: write, org refusing the Actions installation',
    repository: 'refusing/api',
    token: 'github',
    image: 'refusing/app',
    world: (g) =>
      void ((g.orgs as Record<string, unknown>).refusing = { refuses_installations: true }),
    ok: false,
    status: 403,
    message: 'installation not allowed to Create organization package',
  },
]

describe('GHCR emulator + real registry + skopeo', () => {
  let rig: Rig
  beforeAll(async () => {
    rig = await startRig()
  })
  afterAll(async () => {
    await rig?.stop()
  })

  it.each(cases)('$name', async (c) => {
    const github = baseGithub()
    c.world?.(github)
    const { tokens } = rig.setWorld({ repository: c.repository ?? REPO, github })
    const secret = tokens[c.token]
    const existedBefore = rig.world.packages.some((p) => `${p.owner}/${p.name}` === c.image)

    const probe = await rawPushProbe(rig.registryUrl, c.image, secret)
    const pushed = await rig.skopeoPush({
      image: c.image,
      tag: 'v1',
      username: 'someone',
      password: secret,
    })

    const repo = c.repository ?? REPO
    const after = rig.world.packages.find((p) => `${p.owner}/${p.name}` === c.image)
    const byRunToken = rig.world.tokens[c.token].kind === 'actions'
    const skopeoText = c.stage === 'token' || c.ok ? '' : (c.skopeoSays ?? c.message ?? '')
    // skopeo and the raw probe agree, with ghcr.io's status and message.
    expect({
      ok: pushed.ok,
      exitCode: pushed.exitCode,
      probe,
      skopeoSaysIt: pushed.stderr.includes(skopeoText),
      leaksSecret: pushed.stderr.includes(secret),
      packageExists: Boolean(after),
    }).toEqual({
      ok: c.ok,
      exitCode: c.ok ? 0 : 1,
      probe: c.ok
        ? { stage: 'upload', status: 202, message: undefined }
        : { stage: c.stage ?? 'upload', status: c.status, message: c.message },
      skopeoSaysIt: true,
      leaksSecret: false,
      packageExists: c.ok || existedBefore,
    })
    // A first push records the package: linked to the run's repository (admin) when the run's
    // token created it, unlinked otherwise; a refused push records nothing.
    const created =
      existedBefore || !after
        ? null
        : { repository: after.repository, role: after.actions_access[repo] }
    const wantCreated =
      existedBefore || !c.ok
        ? null
        : byRunToken
          ? { repository: repo, role: 'admin' }
          : { repository: null, role: undefined }
    expect(created).toEqual(wantCreated)
    // The log names credentials, never their values.
    expect(JSON.stringify(rig.log)).not.toContain(secret)
    expect(rig.log.some((e) => e.credential === c.token)).toBe(true)
  })

  it('a package the run token created stays writable for that run and closed to others', async () => {
    const { tokens } = rig.setWorld({ repository: REPO, github: baseGithub() })
    const first = await rig.skopeoPush({
      image: 'craigedmunds/again',
      username: 'x',
      password: tokens.github,
    })
    expect(first.ok).toBe(true)
    const second = await rig.skopeoPush({
      image: 'craigedmunds/again',
      tag: 'v2',
      username: 'x',
      password: tokens.github,
    })
    expect(second.ok).toBe(true)
    // Another person's PAT still cannot write it.
    const stranger = await rig.skopeoPush({
      image: 'craigedmunds/again',
      username: 'x',
      password: tokens.pat_stranger,
    })
    expect(stranger.ok).toBe(false)
    expect(await rawPushProbe(rig.registryUrl, 'craigedmunds/again', tokens.pat_stranger)).toEqual({
      stage: 'upload',
      status: 403,
      message: 'permission_denied: write_package',
    })
  })
})
