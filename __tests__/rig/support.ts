// Shared helpers for the rig's own tests: a base world and a raw push probe done by hand
// (token endpoint, then POST of an upload session), to compare with what skopeo experiences.

export const REPO = 'craigedmunds/argocd-eda'

/** A world with every kind of actor; cases override `repository` and patch parts. */
export function baseGithub(): Record<string, unknown> {
  return {
    owners: {
      craigedmunds: 'user',
      'other-user': 'user',
      acme: 'org',
      banned: 'org',
      ssoorg: 'org',
    },
    orgs: {
      acme: { members: { craigedmunds: 'write', reader: 'read' } },
      banned: { forbid_classic_pat: true, members: { craigedmunds: 'write' } },
      ssoorg: { saml_sso: true, members: { craigedmunds: 'write' } },
      strictorg: { package_creation: false, members: { craigedmunds: 'write' } },
      noinherit: { inherit_access: false },
    },
    tokens: {
      github: { kind: 'actions', packages: 'write' },
      github_ro: { kind: 'actions', packages: 'read' },
      github_none: { kind: 'actions', packages: 'none' },
      pat: { kind: 'classic', owner: 'craigedmunds', scopes: ['write:packages', 'read:packages'] },
      pat_read: { kind: 'classic', owner: 'craigedmunds', scopes: ['read:packages', 'repo'] },
      pat_nosso: {
        kind: 'classic',
        owner: 'craigedmunds',
        scopes: ['write:packages'],
        sso_authorized: false,
      },
      pat_stranger: { kind: 'classic', owner: 'stranger', scopes: ['write:packages'] },
      oauth: { kind: 'oauth', owner: 'craigedmunds', scopes: ['write:packages', 'read:packages'] },
      fine: { kind: 'fine-grained', owner: 'craigedmunds' },
      expired: {
        kind: 'classic',
        owner: 'craigedmunds',
        scopes: ['write:packages'],
        expired: true,
      },
      app: { kind: 'app' },
    },
    packages: [
      {
        owner: 'craigedmunds',
        name: 'backstage',
        repository: 'craigedmunds/other-repo',
        visibility: 'private',
        actions_access: { 'craigedmunds/other-repo': 'write' },
      },
      {
        owner: 'acme',
        name: 'linked-elsewhere',
        repository: 'acme/other',
        visibility: 'private',
        actions_access: { 'acme/other': 'write' },
      },
      { owner: 'acme', name: 'linked-here', repository: 'acme/api', visibility: 'private' },
      {
        owner: 'acme',
        name: 'granted',
        repository: 'acme/other',
        visibility: 'private',
        actions_access: { 'acme/api': 'write' },
      },
      { owner: 'noinherit', name: 'linked', repository: 'noinherit/api', visibility: 'private' },
      { owner: 'acme', name: 'public-one', repository: 'acme/other', visibility: 'public' },
    ],
  }
}

export const basic = (user: string, secret: string): string =>
  `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`

export interface ProbeResult {
  stage: 'token' | 'upload'
  status: number
  message?: string
}

/** What a careful client does to test push rights: token with pull,push, then POST an upload. */
export async function rawPushProbe(
  registryUrl: string,
  image: string,
  secret: string,
): Promise<ProbeResult> {
  const tokenRes = await fetch(
    `${registryUrl}/token?service=ghcr.io&scope=repository:${image}:pull,push`,
    { headers: { authorization: basic('user', secret) }, signal: AbortSignal.timeout(5000) },
  )
  const tokenBody = (await tokenRes.json()) as { token?: string; errors?: { message: string }[] }
  if (tokenRes.status !== 200) {
    return { stage: 'token', status: tokenRes.status, message: tokenBody.errors?.[0]?.message }
  }
  const res = await fetch(`${registryUrl}/v2/${image}/blobs/uploads/`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokenBody.token}`, 'content-length': '0' },
    signal: AbortSignal.timeout(5000),
  })
  const text = await res.text()
  const body = text ? (JSON.parse(text) as { errors?: { message: string }[] }) : {}
  return { stage: 'upload', status: res.status, message: body.errors?.[0]?.message }
}
