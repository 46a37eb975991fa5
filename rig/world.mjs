// The "world": what GitHub knows in one scenario (contracts §7, the `github:` section), and the
// pure rules that decide what ghcr.io would answer. No I/O here; both emulators read this.
// Sections cited as §N are in /work/shared/research/ghcr-failure-modes.md.
import { randomBytes } from 'node:crypto'
import { parseRuns } from './github-runs.mjs'

/**
 * @typedef {'actions'|'classic'|'fine-grained'|'app'|'oauth'} TokenKind
 * @typedef {'read'|'write'|'admin'} Role
 * @typedef {object} WorldToken
 * @property {string} name
 * @property {TokenKind} kind
 * @property {string} value
 * @property {'read'|'write'|'none'} packages   actions tokens: the job's packages grant
 * @property {string} owner                     login of the PAT/OAuth owner, lower-cased for
 *   comparisons ('' for app/actions)
 * @property {string} login                     the same login as written (GET /user shows it so)
 * @property {string[]} scopes                  classic/OAuth scopes
 * @property {boolean} expired
 * @property {boolean} revoked
 * @property {boolean} sso_authorized
 * @property {string|undefined} expires_at      ISO time; sets GitHub-Authentication-Token-Expiration
 * @typedef {object} WorldOrg
 * @property {boolean} forbid_classic_pat
 * @property {boolean} saml_sso
 * @property {Record<string, Role>} members
 * @property {boolean} package_creation         org Settings → Packages → Package creation (§6)
 * @property {boolean} inherit_access           Default package settings → Inherit access (§4.3)
 * @property {boolean} refuses_installations    an organisation-level refusal of the Actions
 *   installation that no package setting changes (https://github.com/airbus/sen/pull/173, whose
 *   cause the corpus README calls disputed: kept so the candidates can be tested)
 * @typedef {object} WorldPackage
 * @property {string} owner
 * @property {string} name
 * @property {string|null} repository           linked repository (owner/name) or null
 * @property {'public'|'private'} visibility
 * @property {Record<string, Role>} actions_access   "Manage Actions access": repository → role
 * @property {Record<string, Role>} users_access     people with a role on the package
 * @property {boolean|undefined} inherit_access
 * @property {string} created_at
 * @property {import('./github-runs.mjs').WorldVersion[]} versions   pushed manifests (ghcr "versions")
 * @typedef {object} World
 * @property {string} repository                the run's repository, owner/name, lower-cased
 * @property {'lenient'|'strict'} token_endpoint  does /token refuse bad credentials? strict (the
 *   default) is what ghcr.io does (https://github.com/jikig-ai/soleur/issues/8036)
 * @property {Record<string, 'user'|'org'>} owners
 * @property {Record<string, WorldOrg>} orgs
 * @property {Record<string, WorldToken>} tokens
 * @property {WorldPackage[]} packages
 * @property {Record<string, string>} files
 * @property {ScriptedAnswer[]} answers         real answers replayed verbatim (corpus replay)
 * @typedef {object} ScriptedAnswer
 *   A registry answer taken from a real failure report, given to one credential at one step
 *   instead of what the rules below would answer: the corpus replay gives each case's quoted
 *   status and message exactly where the real client got them.
 * @property {string} token                     the token's name in `tokens`
 * @property {'token'|'upload'|'manifest'|'pull'} step   token service; POST …/blobs/uploads/;
 *   PUT …/manifests/…; GET/HEAD of blobs or manifests
 * @property {number} status
 * @property {string} [code]                    errors[0].code; omitted with message → empty body
 * @property {string} [message]                 errors[0].message
 * @property {import('./github-runs.mjs').WorldRun[]} runs   workflow runs, for GET …/actions/runs
 * @typedef {{ type: 'anonymous' } | { type: 'unknown' } | { type: 'token', token: WorldToken }} Caller
 * @typedef {{ allow: false, status: number, code: string, message: string, challenge?: boolean }} Denial
 * @typedef {{ allow: true, actions: string[] } | Denial} Decision
 */

// Exact ghcr.io strings. Real failure reports outrank the research notes (§N): each entry cites
// the public thread that shows it, and the corpus in corpus/failures/ replays them.
export const MSG = {
  authRequired: 'authentication required', // §2.1
  unauthenticated: 'unauthenticated: User cannot be authenticated with the token provided.', // §1.6
  scopes: 'permission_denied: The token provided does not match expected scopes.', // §1.5
  createPackage: 'permission_denied: create_package', // §1.4
  // The run's token with packages: write on an existing package (user or organisation) whose
  // "Manage Actions access" lacks the repository:
  // https://github.com/tuna-os/tunaOS/issues/642 (org), https://github.com/danger/danger-js/issues/1414 (org),
  // https://github.com/hephaestus-build/Hephaestus/pull/1671 (org)
  writePackage: 'permission_denied: write_package',
  readPackage: 'permission_denied: read_package', // §1.11
  // The Actions installation without packages: write, in an organisation's namespace and in a
  // personal one alike: https://github.com/macbre/push-to-ghcr/pull/31 (user),
  // https://github.com/bachp/git-mirror/pull/516 (user), https://github.com/estuary/flow/pull/2575 (org),
  // https://github.com/pinchbench/skill/pull/17 (org, Create); fork runs get the same:
  // https://github.com/xrelkd/clipcat/pull/1050
  orgCreate: 'installation not allowed to Create organization package',
  orgWrite: 'installation not allowed to Write organization package',
  orgRead: 'installation not allowed to Read organization package', // §1.2
  // Another GitHub App's installation token: the same words behind a permission_denied prefix
  // (POST …/blobs/uploads/ → "DENIED: permission_denied: installation not allowed to Create
  // organization package": https://github.com/product-os/flowzone/pull/516).
  /** @param {'Create'|'Write'|'Read'} what */
  appInstallation: (what) =>
    `permission_denied: installation not allowed to ${what} organization package`,
  // A repository's token pushing into another account's namespace, personal or organisation: no
  // installation of that account exists for it (https://github.com/PwnKit-Labs/pwnkit/pull/184,
  // https://github.com/openwrt/buildbot/pull/2, https://github.com/grafana/k6/pull/2111,
  // https://github.com/QMCPACK/qmcpack/issues/5805 (an organisation)).
  noInstallation: 'permission_denied: The requested installation does not exist.',
  // The token service refusing a revoked or expired PAT (strict, the default):
  // https://github.com/jikig-ai/soleur/issues/8036 (`docker login` prints "denied: denied").
  tokenDenied: 'denied',
  /** @param {string} org §1.11 */
  forbidsClassic: (org) =>
    `permission_denied: \`${org}\` forbids access via a personal access token (classic). Please use a GitHub App, OAuth App, or a personal access token with fine-grained permissions.`,
  // §5.4: with a PAT not authorised for a SAML org the registry says only "unauthorized"
  // (cli/cli#5174). We answer 401 UNAUTHORIZED "unauthorized": a credential-level refusal.
  ssoUnauthorized: 'unauthorized',
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
/** @param {number} n */
function randomChars(n) {
  const bytes = randomBytes(n)
  let s = ''
  for (const b of bytes) s += BASE62[b % 62]
  return s
}

/** Realistic token values per kind (§5.3). @param {TokenKind} kind */
export function makeTokenValue(kind) {
  switch (kind) {
    case 'actions':
    case 'app':
      return `ghs_${randomChars(36)}`
    case 'classic':
      return `ghp_${randomChars(36)}`
    case 'oauth':
      return `gho_${randomChars(36)}`
    case 'fine-grained':
      return `github_pat_${randomChars(22)}_${randomChars(59)}`
  }
  throw new Error(`unknown token kind ${kind}`)
}

const KINDS = ['actions', 'classic', 'fine-grained', 'app', 'oauth']
const ROLES = ['read', 'write', 'admin']

/** Enum values are read case-insensitively (`kind: Classic`, `packages: Write`). @param {unknown} v */
const lower = (v) => (typeof v === 'string' ? v.trim().toLowerCase() : v)

/** @param {unknown} v @param {string} where */
function obj(v, where) {
  if (v === undefined || v === null) return {}
  if (typeof v !== 'object' || Array.isArray(v))
    throw new Error(`world: ${where} must be a mapping`)
  return /** @type {Record<string, any>} */ (v)
}

/** @param {Record<string, any>} m @param {string} where @returns {Record<string, Role>} */
function roles(m, where) {
  /** @type {Record<string, Role>} */
  const out = {}
  for (const [k, raw] of Object.entries(obj(m, where))) {
    const v = lower(raw)
    if (!ROLES.includes(v)) throw new Error(`world: ${where}.${k} must be read, write or admin`)
    out[k.toLowerCase()] = v
  }
  return out
}

/**
 * Builds a world from a scenario: `repository` plus its `github:` section and `files`.
 * Throws a plain message naming the bad field.
 * @param {{ repository: string, github?: unknown, files?: unknown }} input
 * @returns {World}
 */
export function buildWorld(input) {
  const repository = String(input.repository ?? '').toLowerCase()
  if (!/^[^/\s]+\/[^/\s]+$/.test(repository)) {
    throw new Error(`world: repository must be owner/name, got ${JSON.stringify(input.repository)}`)
  }
  const gh = obj(input.github, 'github')
  /** @type {World['owners']} */
  const owners = {}
  for (const [k, raw] of Object.entries(obj(gh.owners, 'github.owners'))) {
    const v = lower(raw)
    if (v !== 'user' && v !== 'org')
      throw new Error(`world: github.owners.${k} must be user or org`)
    owners[k.toLowerCase()] = v
  }
  /** @type {World['orgs']} */
  const orgs = {}
  for (const [k, raw] of Object.entries(obj(gh.orgs, 'github.orgs'))) {
    const o = obj(raw, `github.orgs.${k}`)
    orgs[k.toLowerCase()] = {
      forbid_classic_pat: o.forbid_classic_pat === true,
      saml_sso: o.saml_sso === true,
      members: roles(o.members, `github.orgs.${k}.members`),
      package_creation: o.package_creation !== false,
      inherit_access: o.inherit_access !== false,
      refuses_installations: o.refuses_installations === true,
    }
    owners[k.toLowerCase()] ??= 'org'
  }
  /** @type {World['tokens']} */
  const tokens = {}
  for (const [name, raw] of Object.entries(obj(gh.tokens, 'github.tokens'))) {
    const t = obj(raw, `github.tokens.${name}`)
    const kind = lower(t.kind)
    if (!KINDS.includes(kind)) {
      throw new Error(`world: github.tokens.${name}.kind must be one of ${KINDS.join(', ')}`)
    }
    const packages = lower(t.packages) ?? (kind === 'actions' ? 'read' : 'none')
    if (!['read', 'write', 'none'].includes(packages)) {
      throw new Error(`world: github.tokens.${name}.packages must be read, write or none`)
    }
    tokens[name] = {
      name,
      kind,
      value: typeof t.value === 'string' ? t.value : makeTokenValue(kind),
      packages,
      owner: String(t.owner ?? '').toLowerCase(),
      login: String(t.owner ?? ''),
      scopes: Array.isArray(t.scopes) ? t.scopes.map(String) : [],
      expired: t.expired === true,
      revoked: t.revoked === true,
      sso_authorized: t.sso_authorized !== false,
      expires_at: t.expires_at ? expiryTime(t.expires_at, `github.tokens.${name}`) : undefined,
    }
  }
  const packages = (Array.isArray(gh.packages) ? gh.packages : []).map((raw, i) => {
    const p = obj(raw, `github.packages[${i}]`)
    if (!p.owner || !p.name) throw new Error(`world: github.packages[${i}] needs owner and name`)
    return makePackage({
      owner: String(p.owner),
      name: String(p.name),
      repository: p.repository ? String(p.repository) : null,
      // internal behaves as private for everyone outside the enterprise (what the rig models).
      visibility: lower(p.visibility) === 'public' ? 'public' : 'private',
      actions_access: roles(p.actions_access, `github.packages[${i}].actions_access`),
      users_access: roles(p.users_access, `github.packages[${i}].users_access`),
      inherit_access: typeof p.inherit_access === 'boolean' ? p.inherit_access : undefined,
    })
  })
  const answers = (Array.isArray(gh.answers) ? gh.answers : []).map((raw, i) => {
    const a = obj(raw, `github.answers[${i}]`)
    const where = `github.answers[${i}]`
    if (typeof a.token !== 'string' || !(a.token in tokens)) {
      throw new Error(`world: ${where}.token must name one of github.tokens`)
    }
    if (!['token', 'upload', 'manifest', 'pull'].includes(a.step)) {
      throw new Error(`world: ${where}.step must be token, upload, manifest or pull`)
    }
    if (!Number.isInteger(a.status) || a.status < 100 || a.status > 599) {
      throw new Error(`world: ${where}.status must be an HTTP status`)
    }
    /** @type {ScriptedAnswer} */
    const answer = { token: a.token, step: a.step, status: a.status }
    if (a.code !== undefined) answer.code = String(a.code)
    if (a.message !== undefined) answer.message = String(a.message)
    return answer
  })
  const tokenEndpoint = lower(gh.token_endpoint) ?? 'strict'
  if (tokenEndpoint !== 'lenient' && tokenEndpoint !== 'strict') {
    throw new Error('world: github.token_endpoint must be lenient or strict')
  }
  return {
    repository,
    token_endpoint: tokenEndpoint,
    owners,
    orgs,
    tokens,
    packages,
    files: { ...obj(input.files, 'files') },
    answers,
    runs: parseRuns(gh.runs, repository),
  }
}

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000 }

/**
 * An ISO time, or one relative to now (`+3d`, `-2h`, `+30m`) so a scenario about a token that
 * expires "in three days" stays true whenever it runs.
 * @param {unknown} v @param {string} where
 */
function expiryTime(v, where) {
  const m = /^([+-]\d+)([dhm])$/.exec(String(v).trim())
  const d = m
    ? new Date(Date.now() + Number(m[1]) * UNIT_MS[/** @type {'d'|'h'|'m'} */ (m[2])])
    : new Date(String(v))
  if (Number.isNaN(d.getTime()))
    throw new Error(
      `world: ${where}.expires_at must be an ISO time or +Nd/+Nh/+Nm, got ${String(v)}`,
    )
  return d.toISOString()
}

/** @param {Omit<WorldPackage, 'created_at' | 'versions'> & { created_at?: string }} p @returns {WorldPackage} */
function makePackage(p) {
  return {
    versions: [],
    ...p,
    owner: p.owner.toLowerCase(),
    name: p.name.toLowerCase(),
    repository: p.repository ? p.repository.toLowerCase() : null,
    created_at: p.created_at ?? new Date().toISOString(),
  }
}

/** @param {World} world @param {string} owner */
export function ownerType(world, owner) {
  return world.owners[owner.toLowerCase()] ?? (world.orgs[owner.toLowerCase()] ? 'org' : 'user')
}

/** @param {World} world @param {string} owner @param {string} name */
export function findPackage(world, owner, name) {
  const o = owner.toLowerCase()
  const n = name.toLowerCase()
  return world.packages.find((p) => p.owner === o && p.name === n)
}

/** Which token, if any, a secret is. @param {World} world @param {string} secret @returns {Caller} */
export function callerForSecret(world, secret) {
  const token = Object.values(world.tokens).find((t) => t.value === secret)
  return token ? { type: 'token', token } : { type: 'unknown' }
}

/** A repository path `owner/pkg[/more]` → namespace and package name. @param {string} repoPath */
export function splitRepoPath(repoPath) {
  const i = repoPath.indexOf('/')
  return i < 0
    ? { owner: '', name: repoPath }
    : { owner: repoPath.slice(0, i).toLowerCase(), name: repoPath.slice(i + 1).toLowerCase() }
}

/** @param {Role|undefined} role */
const canWrite = (role) => role === 'write' || role === 'admin'

/** @param {string} message @returns {Denial} */
const denied = (message) => ({ allow: false, status: 403, code: 'DENIED', message })
/** @param {string} message @returns {Denial} */
const unauthorized = (message) => ({ allow: false, status: 401, code: 'UNAUTHORIZED', message })

/**
 * The role the run's repository has on a package through Actions access: explicit "Manage
 * Actions access", or inherited from the linked repository (§4.3).
 * @param {World} world @param {WorldPackage} pkg @returns {Role|undefined}
 */
export function actionsRole(world, pkg) {
  const explicit = pkg.actions_access[world.repository]
  if (explicit) return explicit
  const inherit = pkg.inherit_access ?? world.orgs[pkg.owner]?.inherit_access ?? true
  // A package linked to the run's repository with inherited access gives that repository's
  // workflows write (§4.3: "repositories … given write permission … can upload"). A link never
  // spans owners: transferring the repository removes it (§4.3; PwnKit-Labs/pwnkit#184, a
  // repository moved to an organisation, lost its old personal package).
  const sameOwner = pkg.owner === world.repository.split('/')[0]
  if (pkg.repository === world.repository && inherit && sameOwner) return 'write'
  return undefined
}

/**
 * ghcr.io's authorisation for one registry request (§1, §2.4, §4, §5, §9).
 * @param {World} world
 * @param {Caller} caller
 * @param {string} repoPath   e.g. acme/app
 * @param {'read'|'write'} need   GET/HEAD → read; POST/PUT/PATCH → write
 * @returns {Decision}
 */
export function authorize(world, caller, repoPath, need) {
  const { owner, name } = splitRepoPath(repoPath)
  const pkg = owner ? findPackage(world, owner, name) : undefined
  const isOrg = ownerType(world, owner) === 'org'
  const org = isOrg ? world.orgs[owner] : undefined
  const granted = need === 'write' ? ['pull', 'push'] : ['pull']
  /** @type {Decision} */
  const allow = { allow: true, actions: granted }
  const publicRead = need === 'read' && pkg?.visibility === 'public'

  if (caller.type === 'anonymous') {
    // Public packages are pullable anonymously; everything else asks for credentials (§2.1).
    if (publicRead) return allow
    return { ...unauthorized(MSG.authRequired), challenge: true }
  }
  if (caller.type === 'unknown') return unauthorized(MSG.unauthenticated) // §1.6
  const t = caller.token
  if (t.expired || t.revoked) return unauthorized(MSG.unauthenticated) // §1.6, §5.5
  if (publicRead) return allow
  // Pulling a name that does not exist yet is allowed to reach the registry (its 404 is the
  // answer): a pusher's client HEADs blobs before the first upload.
  if (need === 'read' && !pkg) return allow

  switch (t.kind) {
    case 'fine-grained':
      // Packages accepts only classic PATs (§5.2); ghcr prints the scopes message (§1.5).
      return denied(MSG.scopes)
    case 'classic':
    case 'oauth': {
      if (org && org.forbid_classic_pat && t.kind === 'classic') {
        return denied(MSG.forbidsClassic(owner)) // §1.11, §5.4
      }
      if (org && org.saml_sso && !t.sso_authorized) return unauthorized(MSG.ssoUnauthorized) // §5.4
      const scopeOk =
        need === 'write'
          ? t.scopes.includes('write:packages')
          : t.scopes.includes('read:packages') || t.scopes.includes('write:packages')
      if (!scopeOk) return denied(MSG.scopes) // §1.5, §5.1
      if (owner === t.owner) return allow // own user namespace
      if (!isOrg) {
        // Only the namespace owner creates packages under a user (§1.4); an existing package
        // is writable by people it was shared with.
        const role = pkg?.users_access[t.owner]
        if (need === 'read') return role ? allow : denied(MSG.readPackage)
        if (!pkg) return denied(MSG.createPackage)
        return canWrite(role) ? allow : denied(MSG.writePackage)
      }
      const member = org?.members[t.owner]
      const role = pkg?.users_access[t.owner] ?? member
      if (need === 'read') return role ? allow : denied(MSG.readPackage)
      if (!pkg) {
        return canWrite(member) && org?.package_creation !== false
          ? allow
          : denied(MSG.createPackage)
      }
      return canWrite(role) ? allow : denied(MSG.writePackage)
    }
    case 'app': {
      // Another App's installation token: GitHub Packages takes no App token but the run's own
      // (orgs/community 26920, §1.2 cause 5); ghcr says so with a permission_denied prefix
      // (https://github.com/product-os/flowzone/pull/516).
      const what = need === 'read' ? 'Read' : pkg ? 'Write' : 'Create'
      return denied(MSG.appInstallation(what))
    }
    case 'actions': {
      const repoOwner = world.repository.split('/')[0]
      const what = need === 'read' ? 'Read' : pkg ? 'Write' : 'Create'
      // The run's installation is refused in the organisation's and in a personal namespace
      // alike (https://github.com/macbre/push-to-ghcr/pull/31: a user account, "organization
      // package"); only the words Create/Write/Read differ.
      const installation = () =>
        denied(what === 'Read' ? MSG.orgRead : what === 'Write' ? MSG.orgWrite : MSG.orgCreate)
      const role = pkg ? actionsRole(world, pkg) : undefined
      if (owner !== repoOwner) {
        // Another owner's namespace: only an explicit Actions-access grant lets the run in.
        if (need === 'read' ? role : canWrite(role)) return allow
        // Another account's namespace has no installation for this token, a personal one
        // (https://github.com/PwnKit-Labs/pwnkit/pull/184, https://github.com/openwrt/buildbot/pull/2)
        // and an organisation's alike: a personal fork's run pushing into its upstream
        // organisation got "permission_denied: The requested installation does not exist."
        // (https://github.com/QMCPACK/qmcpack/issues/5805), not the installation-not-allowed words.
        return denied(MSG.noInstallation)
      }
      if (org?.refuses_installations) return installation() // airbus/sen#173
      if (need === 'read') {
        // Within its own owner's namespace the run's token can read: users pushing to a package
        // linked elsewhere see the upload refusal, so the client's blob checks before the
        // upload must have passed.
        return t.packages === 'none' ? installation() : allow
      }
      // No packages: write (undeclared with a read-only default, read, none, a fork's read-only
      // token): the installation refusal, personal namespaces included.
      if (t.packages !== 'write') return installation()
      // packages: write on an existing package the repository has no Write role on:
      // write_package, organisation packages too (https://github.com/tuna-os/tunaOS/issues/642,
      // https://github.com/danger/danger-js/issues/1414).
      if (pkg) return canWrite(role) ? allow : denied(MSG.writePackage)
      // A new package: the organisation may refuse creation by policy (§6 item 1).
      if (isOrg && org?.package_creation === false) return installation()
      return allow
    }
  }
  return denied(MSG.writePackage)
}

/**
 * Records a package ghcr.io would create on a first successful manifest push (§4.3): by the
 * run's token → linked to the run's repository, which gets admin (§4.2: "Repositories that
 * publish packages by using a workflow … are automatically granted admin"); by anyone else →
 * unlinked and private.
 * @param {World} world @param {Caller} caller @param {string} repoPath
 * @returns {WorldPackage|undefined} the new package, if one was created
 */
export function recordPush(world, caller, repoPath) {
  const { owner, name } = splitRepoPath(repoPath)
  if (!owner || findPackage(world, owner, name)) return undefined
  const byActions = caller.type === 'token' && caller.token.kind === 'actions'
  const pkg = makePackage({
    owner,
    name,
    repository: byActions ? world.repository : null,
    visibility: 'private',
    actions_access: byActions ? { [world.repository]: 'admin' } : {},
    users_access:
      caller.type === 'token' && caller.token.owner ? { [caller.token.owner]: 'admin' } : {},
    inherit_access: undefined,
  })
  world.packages.push(pkg)
  return pkg
}

/**
 * The scripted answer for this caller at this step, if the world has one.
 * @param {World} world @param {Caller} caller @param {ScriptedAnswer['step']} step
 * @returns {ScriptedAnswer|undefined}
 */
export function scriptedAnswer(world, caller, step) {
  if (caller.type !== 'token') return undefined
  return world.answers.find((a) => a.token === caller.token.name && a.step === step)
}

/** A safe label for logs: the token's name, never its value. @param {Caller} caller */
export function callerLabel(caller) {
  return caller.type === 'token' ? caller.token.name : caller.type
}
