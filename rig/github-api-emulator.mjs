// The few GitHub REST endpoints the action calls, answered from the same world as the GHCR
// emulator. Bodies follow GitHub's published OpenAPI description (checked by a test).
// Sections cited as §N are in /work/shared/research/ghcr-failure-modes.md.
import { createServer } from 'node:http'
import { createHash, randomBytes } from 'node:crypto'
import { callerForSecret, callerLabel, findPackage, MSG, ownerType } from './world.mjs'
import { createRunRoutes, startLogStorage, versionObjects } from './github-runs.mjs'

const API_VERSION = '2022-11-28'
const DOCS = 'https://docs.github.com/rest'
const CREATED = '2020-01-01T00:00:00Z'
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms))

/** A stable positive integer id for a name. @param {string} s */
const idOf = (s) => createHash('sha256').update(s).digest().readUInt32BE(0) & 0x7fffffff
/** @param {string} kind @param {string} s */
const nodeId = (kind, s) =>
  Buffer.from(`${kind}:${idOf(s)}`)
    .toString('base64')
    .replace(/=+$/, '')
/** `2027-10-12 09:00:00 UTC`, the GitHub-Authentication-Token-Expiration format (§5.1). @param {string} iso */
const expirationHeader = (iso) => `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`

/**
 * @param {{
 *   getWorld: () => import('./world.mjs').World,
 *   record: (entry: import('./ghcr-emulator.mjs').LogEntry) => void,
 *   faults: import('./faults.mjs').FaultTable,
 *   getLatency: () => number,
 *   otherHostUrl: string,
 *   serverUrl?: string,
 * }} deps
 * @returns {Promise<{ url: string, port: number, stop: () => Promise<void> }>}
 */
export async function startGithubApiEmulator(deps) {
  const web = deps.serverUrl ?? 'https://github.com'
  let api = ''
  // Workflow runs and their logs (github-runs.mjs); logs are served from another host.
  const signedLogs = new Map()
  const storage = await startLogStorage(deps.record, () => signedLogs)
  const runRoute = createRunRoutes({
    api: () => api,
    web,
    logStorageUrl: () => storage.url,
    signedLogs,
    minimalRepository,
    simpleUser,
  })

  /** @param {string} login @param {'User'|'Organization'} type */
  function simpleUser(login, type) {
    const u = `${api}/users/${login}`
    return {
      login,
      id: idOf(login),
      node_id: nodeId(type === 'User' ? 'U' : 'O', login),
      avatar_url: `https://avatars.githubusercontent.com/u/${idOf(login)}?v=4`,
      gravatar_id: '',
      url: u,
      html_url: `${web}/${login}`,
      followers_url: `${u}/followers`,
      following_url: `${u}/following{/other_user}`,
      gists_url: `${u}/gists{/gist_id}`,
      starred_url: `${u}/starred{/owner}{/repo}`,
      subscriptions_url: `${u}/subscriptions`,
      organizations_url: `${u}/orgs`,
      repos_url: `${u}/repos`,
      events_url: `${u}/events{/privacy}`,
      received_events_url: `${u}/received_events`,
      type,
      user_view_type: 'public',
      site_admin: false,
    }
  }

  /** @param {string} login @param {'User'|'Organization'} type */
  function publicUser(login, type) {
    return {
      ...simpleUser(login, type),
      name: login,
      company: null,
      blog: '',
      location: null,
      email: null,
      hireable: null,
      bio: null,
      twitter_username: null,
      public_repos: 3,
      public_gists: 0,
      followers: 1,
      following: 0,
      created_at: CREATED,
      updated_at: CREATED,
    }
  }

  /** @param {string} login */
  function privateUser(login) {
    return {
      ...publicUser(login, 'User'),
      user_view_type: 'private',
      private_gists: 0,
      total_private_repos: 1,
      owned_private_repos: 1,
      disk_usage: 1024,
      collaborators: 0,
      two_factor_authentication: true,
    }
  }

  /** @param {string} org */
  function organizationFull(org) {
    const o = `${api}/orgs/${org}`
    return {
      login: org,
      id: idOf(org),
      node_id: nodeId('O', org),
      url: o,
      repos_url: `${o}/repos`,
      events_url: `${o}/events`,
      hooks_url: `${o}/hooks`,
      issues_url: `${o}/issues`,
      members_url: `${o}/members{/member}`,
      public_members_url: `${o}/public_members{/member}`,
      avatar_url: `https://avatars.githubusercontent.com/u/${idOf(org)}?v=4`,
      description: null,
      html_url: `${web}/${org}`,
      has_organization_projects: true,
      has_repository_projects: true,
      public_repos: 3,
      public_gists: 0,
      followers: 0,
      following: 0,
      type: 'Organization',
      created_at: CREATED,
      updated_at: CREATED,
      archived_at: null,
    }
  }

  /** @param {string} fullName */
  function minimalRepository(fullName) {
    const [owner, name] = fullName.split('/')
    const r = `${api}/repos/${fullName}`
    const world = deps.getWorld()
    const type = ownerType(world, owner) === 'org' ? 'Organization' : 'User'
    /** @type {Record<string, string>} */
    const urls = {}
    for (const [k, suffix] of Object.entries({
      archive_url: '/{archive_format}{/ref}',
      assignees_url: '/assignees{/user}',
      blobs_url: '/git/blobs{/sha}',
      branches_url: '/branches{/branch}',
      collaborators_url: '/collaborators{/collaborator}',
      comments_url: '/comments{/number}',
      commits_url: '/commits{/sha}',
      compare_url: '/compare/{base}...{head}',
      contents_url: '/contents/{+path}',
      contributors_url: '/contributors',
      deployments_url: '/deployments',
      downloads_url: '/downloads',
      events_url: '/events',
      forks_url: '/forks',
      git_commits_url: '/git/commits{/sha}',
      git_refs_url: '/git/refs{/sha}',
      git_tags_url: '/git/tags{/sha}',
      hooks_url: '/hooks',
      issue_comment_url: '/issues/comments{/number}',
      issue_events_url: '/issues/events{/number}',
      issues_url: '/issues{/number}',
      keys_url: '/keys{/key_id}',
      labels_url: '/labels{/name}',
      languages_url: '/languages',
      merges_url: '/merges',
      milestones_url: '/milestones{/number}',
      notifications_url: '/notifications{?since,all,participating}',
      pulls_url: '/pulls{/number}',
      releases_url: '/releases{/id}',
      stargazers_url: '/stargazers',
      statuses_url: '/statuses/{sha}',
      subscribers_url: '/subscribers',
      subscription_url: '/subscription',
      tags_url: '/tags',
      teams_url: '/teams',
      trees_url: '/git/trees{/sha}',
    })) {
      urls[k] = r + suffix
    }
    return {
      id: idOf(fullName),
      node_id: nodeId('R', fullName),
      name,
      full_name: fullName,
      owner: simpleUser(owner, type),
      private: true,
      html_url: `${web}/${fullName}`,
      description: null,
      fork: false,
      url: r,
      ...urls,
    }
  }

  /** @param {import('./world.mjs').WorldPackage} pkg */
  function packageObject(pkg) {
    const isOrg = ownerType(deps.getWorld(), pkg.owner) === 'org'
    const scope = isOrg ? 'orgs' : 'users'
    return {
      id: idOf(`${pkg.owner}/${pkg.name}`),
      name: pkg.name,
      package_type: 'container',
      owner: simpleUser(pkg.owner, isOrg ? 'Organization' : 'User'),
      version_count: 1,
      visibility: pkg.visibility,
      url: `${api}/${scope}/${pkg.owner}/packages/container/${encodeURIComponent(pkg.name)}`,
      created_at: pkg.created_at,
      updated_at: pkg.created_at,
      ...(pkg.repository ? { repository: minimalRepository(pkg.repository) } : {}),
      html_url: `${web}/${scope}/${pkg.owner}/packages/container/package/${encodeURIComponent(pkg.name)}`,
    }
  }

  /** @param {string} message @param {number} status @param {string} [doc] */
  const errorBody = (message, status, doc = DOCS) => ({
    message,
    documentation_url: doc,
    status: String(status),
  })

  /**
   * @param {import('node:http').IncomingMessage} req
   * @returns {import('./world.mjs').Caller}
   */
  function callerOf(req) {
    const auth = req.headers.authorization ?? ''
    if (!auth) return { type: 'anonymous' }
    const m = /^(token|bearer)\s+(\S+)$/i.exec(auth)
    if (m) return callerForSecret(deps.getWorld(), m[2])
    if (/^basic\s/i.test(auth)) {
      const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8')
      return callerForSecret(deps.getWorld(), decoded.slice(decoded.indexOf(':') + 1))
    }
    return { type: 'unknown' }
  }

  /**
   * The answer for one request: status, body, extra headers.
   * @param {string} path @param {URL} url @param {import('./world.mjs').Caller} caller
   * @returns {{ status: number, body: unknown, headers?: Record<string, string> }}
   */
  function route(path, url, caller) {
    const world = deps.getWorld()
    const t = caller.type === 'token' ? caller.token : undefined
    if (caller.type === 'unknown' || t?.expired || t?.revoked) {
      // §5.5: a bad or expired token gets 401 on every endpoint, /rate_limit included.
      return { status: 401, body: errorBody('Bad credentials', 401) }
    }
    const notFound = { status: 404, body: errorBody('Not Found', 404) }
    let seg = path.split('/').filter(Boolean).map(decodeURIComponent)

    if (path === '/rate_limit') {
      const limit = !t ? 60 : t.kind === 'actions' ? 1000 : 5000
      const reset = Math.floor(Date.now() / 1000) + 3600
      const rl = { limit, remaining: limit - 1, reset, used: 1 }
      const other = { limit: 30, remaining: 30, reset, used: 0 }
      return {
        status: 200,
        body: {
          resources: {
            core: rl,
            search: other,
            graphql: { ...rl, used: 0, remaining: limit },
            integration_manifest: { ...other, limit: 5000, remaining: 5000 },
            code_search: { ...other, limit: 10, remaining: 10 },
          },
          rate: rl,
        },
      }
    }

    if (path === '/user') {
      if (!t)
        return {
          status: 401,
          body: errorBody(
            'Requires authentication',
            401,
            `${DOCS}/users/users#get-the-authenticated-user`,
          ),
        }
      // §3.4: installation tokens cannot read /user.
      if (t.kind === 'actions' || t.kind === 'app') {
        return {
          status: 403,
          body: errorBody(
            'Resource not accessible by integration',
            403,
            `${DOCS}/users/users#get-the-authenticated-user`,
          ),
        }
      }
      // GitHub keeps a login's case (Tr3kkR), which is the username a login should send.
      return { status: 200, body: privateUser(t.login || t.owner) }
    }

    // Org-wide gates for classic PATs / OAuth tokens (§5.4, §1.11).
    const orgName = seg[0] === 'orgs' || seg[0] === 'repos' ? seg[1]?.toLowerCase() : undefined
    const org = orgName && ownerType(world, orgName) === 'org' ? world.orgs[orgName] : undefined
    if (org && orgName && t && (t.kind === 'classic' || t.kind === 'oauth')) {
      if (org.forbid_classic_pat && t.kind === 'classic') {
        return {
          status: 403,
          body: errorBody(
            MSG.forbidsClassic(orgName).replace('permission_denied: ', ''),
            403,
            `${DOCS}/orgs/orgs#get-an-organization`,
          ),
        }
      }
      if (org.saml_sso && !t.sso_authorized) {
        return {
          status: 403,
          body: errorBody(
            'Resource protected by organization SAML enforcement. You must grant your personal token access to this organization.',
            403,
            'https://docs.github.com/articles/authenticating-to-a-github-organization-with-saml-single-sign-on/',
          ),
          headers: {
            'x-github-sso': `required; url=${web}/orgs/${orgName}/sso?authorization_request=${randomBytes(12).toString('hex')}`,
          },
        }
      }
    }

    if (seg[0] === 'users' && seg.length === 2) {
      const login = seg[1].toLowerCase()
      const known =
        login in world.owners ||
        login === world.repository.split('/')[0] ||
        Object.values(world.tokens).some((x) => x.owner === login) ||
        Object.values(world.orgs).some((o) => login in o.members)
      if (!known) return notFound
      return {
        status: 200,
        body: publicUser(login, ownerType(world, login) === 'org' ? 'Organization' : 'User'),
      }
    }

    if (seg[0] === 'orgs' && seg.length === 2) {
      if (ownerType(world, seg[1]) !== 'org') return notFound
      return { status: 200, body: organizationFull(seg[1].toLowerCase()) }
    }

    const runAnswer = runRoute(seg, url, world, t)
    if (runAnswer) return runAnswer

    if ((seg[0] === 'orgs' || seg[0] === 'users') && seg[2] === 'packages' && seg.length >= 5) {
      // …/packages/container/{name}/versions lists the package's versions (github-runs.mjs).
      const versions = seg.length >= 6 && seg[seg.length - 1] === 'versions'
      if (versions) seg = seg.slice(0, -1)
      const isOrgRoute = seg[0] === 'orgs'
      const doc = `${DOCS}/packages/packages#${isOrgRoute ? 'get-a-package-for-an-organization' : 'get-a-package-for-a-user'}`
      const missing = { status: 404, body: errorBody('Package not found.', 404, doc) }
      if (!t) return { status: 401, body: errorBody('Requires authentication', 401, doc) }
      if (seg[3] !== 'container') return missing
      const owner = seg[1].toLowerCase()
      if (isOrgRoute !== (ownerType(world, owner) === 'org')) return missing
      const pkg = findPackage(world, owner, seg.slice(4).join('/'))
      if (t.kind === 'fine-grained') {
        return {
          status: 403,
          body: errorBody('Resource not accessible by personal access token', 403, doc),
        }
      }
      if (t.kind === 'classic' || t.kind === 'oauth') {
        // §4.1: needs read:packages (write:packages includes it).
        if (!t.scopes.some((s) => /^(read|write|delete):packages$/.test(s))) {
          return {
            status: 403,
            body: errorBody('You need at least read:packages scope to list packages.', 403, doc),
          }
        }
        const visible =
          pkg &&
          (pkg.visibility === 'public' ||
            pkg.owner === t.owner ||
            pkg.users_access[t.owner] ||
            world.orgs[owner]?.members[t.owner])
        if (!visible) return missing
        return {
          status: 200,
          body: versions
            ? versionObjects(pkg, isOrgRoute ? 'orgs' : 'users', api, web)
            : packageObject(pkg),
        }
      }
      if (t.kind === 'actions') {
        // §4.2: the run's token sees a package only when its repository has admin on it.
        if (!pkg || pkg.actions_access[world.repository] !== 'admin') return missing
        return {
          status: 200,
          body: versions
            ? versionObjects(pkg, isOrgRoute ? 'orgs' : 'users', api, web)
            : packageObject(pkg),
        }
      }
      return missing // §4.2: other installation tokens got 404
    }

    if (seg[0] === 'repos' && seg[3] === 'contents' && seg.length >= 5) {
      const full = `${seg[1]}/${seg[2]}`.toLowerCase()
      const filePath = seg.slice(4).join('/')
      const content = world.files[filePath]
      if (!t || full !== world.repository || content === undefined) return notFound
      const buf = Buffer.from(content, 'utf8')
      const sha = createHash('sha1').update(`blob ${buf.length}\0`).update(buf).digest('hex')
      const ref = url.searchParams.get('ref') ?? 'main'
      const self = `${api}/repos/${full}/contents/${filePath}?ref=${encodeURIComponent(ref)}`
      const html = `${web}/${full}/blob/${ref}/${filePath}`
      const git = `${api}/repos/${full}/git/blobs/${sha}`
      return {
        status: 200,
        body: {
          type: 'file',
          encoding: 'base64',
          size: buf.length,
          name: filePath.split('/').pop(),
          path: filePath,
          // GitHub wraps base64 at 60 characters.
          content: (buf.toString('base64').match(/.{1,60}/g) ?? ['']).join('\n') + '\n',
          sha,
          url: self,
          git_url: git,
          html_url: html,
          download_url: `https://raw.githubusercontent.com/${full}/${ref}/${filePath}`,
          _links: { self, git, html },
        },
      }
    }
    return notFound
  }

  /** Headers GitHub sends with every answer (§3.4, §5.1). @param {import('./world.mjs').Caller} caller */
  function commonHeaders(caller) {
    const t = caller.type === 'token' ? caller.token : undefined
    const limit = !t ? 60 : t.kind === 'actions' ? 1000 : 5000
    /** @type {Record<string, string>} */
    const h = {
      'content-type': 'application/json; charset=utf-8',
      'x-github-api-version-selected': API_VERSION,
      'x-github-media-type': 'github.v3; format=json',
      'x-github-request-id': randomBytes(8).toString('hex').toUpperCase(),
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(limit - 1),
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-used': '1',
      'x-ratelimit-resource': 'core',
    }
    // X-OAuth-Scopes only for classic PATs and OAuth tokens (§3.4, §5.3).
    if (t && !t.expired && !t.revoked && (t.kind === 'classic' || t.kind === 'oauth')) {
      h['x-oauth-scopes'] = t.scopes.join(', ')
      h['x-accepted-oauth-scopes'] = ''
    }
    if (t?.expires_at && !t.expired) {
      h['github-authentication-token-expiration'] = expirationHeader(t.expires_at)
    }
    return h
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://api')
    /** @type {import('./ghcr-emulator.mjs').LogEntry} */
    const entry = {
      server: 'api',
      method: req.method ?? '',
      path: url.pathname,
      status: 0,
      credential: 'anonymous',
    }
    res.on('close', () => {
      entry.status = res.headersSent ? res.statusCode : 0
      deps.record(entry)
    })
    req.resume()
    try {
      const latency = deps.getLatency()
      if (latency > 0) await sleep(latency)
      if (
        deps.faults.apply({
          req,
          res,
          target: 'api',
          otherHostUrl: deps.otherHostUrl,
          overrides: {},
        })
      )
        return
      const caller = callerOf(req)
      entry.credential = callerLabel(caller)
      const answer =
        req.method === 'GET' || req.method === 'HEAD'
          ? route(url.pathname.replace(/\/+$/, '') || '/', url, caller)
          : { status: 404, body: errorBody('Not Found', 404) }
      // A redirect (a job's log) carries no body.
      const body = answer.status >= 300 && answer.status < 400 ? '' : JSON.stringify(answer.body)
      res.writeHead(answer.status, {
        ...commonHeaders(caller),
        ...answer.headers,
        'content-length': String(Buffer.byteLength(body)),
      })
      res.end(req.method === 'HEAD' ? undefined : body)
    } catch (err) {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ message: `rig error: ${String(err)}` }))
      } else res.destroy()
    }
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)))
  const addr = server.address()
  const port = typeof addr === 'object' && addr ? addr.port : 0
  api = `http://127.0.0.1:${port}`
  return {
    url: api,
    port,
    stop: () =>
      Promise.all([
        storage.stop(),
        new Promise((resolve) => {
          server.close(() => resolve(undefined))
          server.closeAllConnections()
        }),
      ]).then(() => undefined),
  }
}
