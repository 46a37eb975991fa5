// Generated from the JSDoc in the .mjs file by `node rig/gen-types.mjs`; do not edit.
/** Realistic token values per kind (§5.3). @param {TokenKind} kind */
export function makeTokenValue(kind: TokenKind): string
/**
 * Builds a world from a scenario: `repository` plus its `github:` section and `files`.
 * Throws a plain message naming the bad field.
 * @param {{ repository: string, github?: unknown, files?: unknown }} input
 * @returns {World}
 */
export function buildWorld(input: { repository: string; github?: unknown; files?: unknown }): World
/** @param {World} world @param {string} owner */
export function ownerType(world: World, owner: string): 'user' | 'org'
/** @param {World} world @param {string} owner @param {string} name */
export function findPackage(world: World, owner: string, name: string): WorldPackage | undefined
/** Which token, if any, a secret is. @param {World} world @param {string} secret @returns {Caller} */
export function callerForSecret(world: World, secret: string): Caller
/** A repository path `owner/pkg[/more]` → namespace and package name. @param {string} repoPath */
export function splitRepoPath(repoPath: string): {
  owner: string
  name: string
}
/**
 * The role the run's repository has on a package through Actions access: explicit "Manage
 * Actions access", or inherited from the linked repository (§4.3).
 * @param {World} world @param {WorldPackage} pkg @returns {Role|undefined}
 */
export function actionsRole(world: World, pkg: WorldPackage): Role | undefined
/**
 * ghcr.io's authorisation for one registry request (§1, §2.4, §4, §5, §9).
 * @param {World} world
 * @param {Caller} caller
 * @param {string} repoPath   e.g. acme/app
 * @param {'read'|'write'} need   GET/HEAD → read; POST/PUT/PATCH → write
 * @returns {Decision}
 */
export function authorize(
  world: World,
  caller: Caller,
  repoPath: string,
  need: 'read' | 'write',
): Decision
/**
 * Records a package ghcr.io would create on a first successful manifest push (§4.3): by the
 * run's token → linked to the run's repository, which gets admin (§4.2: "Repositories that
 * publish packages by using a workflow … are automatically granted admin"); by anyone else →
 * unlinked and private.
 * @param {World} world @param {Caller} caller @param {string} repoPath
 * @returns {WorldPackage|undefined} the new package, if one was created
 */
export function recordPush(world: World, caller: Caller, repoPath: string): WorldPackage | undefined
/**
 * The scripted answer for this caller at this step, if the world has one.
 * @param {World} world @param {Caller} caller @param {ScriptedAnswer['step']} step
 * @returns {ScriptedAnswer|undefined}
 */
export function scriptedAnswer(
  world: World,
  caller: Caller,
  step: ScriptedAnswer['step'],
): ScriptedAnswer | undefined
/** A safe label for logs: the token's name, never its value. @param {Caller} caller */
export function callerLabel(caller: Caller): string
export namespace MSG {
  let authRequired: string
  let unauthenticated: string
  let scopes: string
  let createPackage: string
  let writePackage: string
  let readPackage: string
  let orgCreate: string
  let orgWrite: string
  let orgRead: string
  function appInstallation(what: 'Create' | 'Write' | 'Read'): string
  let noInstallation: string
  let tokenDenied: string
  function forbidsClassic(org: string): string
  let ssoUnauthorized: string
}
export type TokenKind = 'actions' | 'classic' | 'fine-grained' | 'app' | 'oauth'
export type Role = 'read' | 'write' | 'admin'
export type WorldToken = {
  name: string
  kind: TokenKind
  value: string
  /**
   * actions tokens: the job's packages grant
   */
  packages: 'read' | 'write' | 'none'
  /**
   * login of the PAT/OAuth owner, lower-cased for
   * comparisons ('' for app/actions)
   */
  owner: string
  /**
   * the same login as written (GET /user shows it so)
   */
  login: string
  /**
   * classic/OAuth scopes
   */
  scopes: string[]
  expired: boolean
  revoked: boolean
  sso_authorized: boolean
  /**
   * ISO time; sets GitHub-Authentication-Token-Expiration
   */
  expires_at: string | undefined
}
export type WorldOrg = {
  forbid_classic_pat: boolean
  saml_sso: boolean
  members: Record<string, Role>
  /**
   * org Settings → Packages → Package creation (§6)
   */
  package_creation: boolean
  /**
   * Default package settings → Inherit access (§4.3)
   */
  inherit_access: boolean
  /**
   * an organisation-level refusal of the Actions
   * installation that no package setting changes (https://github.com/airbus/sen/pull/173, whose
   * cause the corpus README calls disputed: kept so the candidates can be tested)
   */
  refuses_installations: boolean
}
export type WorldPackage = {
  owner: string
  name: string
  /**
   * linked repository (owner/name) or null
   */
  repository: string | null
  visibility: 'public' | 'private'
  /**
   * "Manage Actions access": repository → role
   */
  actions_access: Record<string, Role>
  /**
   * people with a role on the package
   */
  users_access: Record<string, Role>
  inherit_access: boolean | undefined
  created_at: string
  /**
   * pushed manifests (ghcr "versions")
   */
  versions: import('./github-runs.mjs').WorldVersion[]
}
export type World = {
  /**
   * the run's repository, owner/name, lower-cased
   */
  repository: string
  /**
   * does /token refuse bad credentials? strict (the
   * default) is what ghcr.io does (https://github.com/jikig-ai/soleur/issues/8036)
   */
  token_endpoint: 'lenient' | 'strict'
  owners: Record<string, 'user' | 'org'>
  orgs: Record<string, WorldOrg>
  tokens: Record<string, WorldToken>
  packages: WorldPackage[]
  files: Record<string, string>
  /**
   * real answers replayed verbatim (corpus replay)
   */
  answers: ScriptedAnswer[]
}
/**
 * A registry answer taken from a real failure report, given to one credential at one step
 * instead of what the rules below would answer: the corpus replay gives each case's quoted
 * status and message exactly where the real client got them.
 */
export type ScriptedAnswer = {
  /**
   * the token's name in `tokens`
   */
  token: string
  /**
   * token service; POST …/blobs/uploads/;
   * PUT …/manifests/…; GET/HEAD of blobs or manifests
   */
  step: 'token' | 'upload' | 'manifest' | 'pull'
  status: number
  /**
   * errors[0].code; omitted with message → empty body
   */
  code?: string | undefined
  /**
   * errors[0].message
   */
  message?: string | undefined
  /**
   * workflow runs, for GET …/actions/runs
   */
  runs: import('./github-runs.mjs').WorldRun[]
}
export type Caller =
  | {
      type: 'anonymous'
    }
  | {
      type: 'unknown'
    }
  | {
      type: 'token'
      token: WorldToken
    }
export type Denial = {
  allow: false
  status: number
  code: string
  message: string
  challenge?: boolean
}
export type Decision =
  | {
      allow: true
      actions: string[]
    }
  | Denial
