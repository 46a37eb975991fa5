// The shape every check returns (contracts §5). Pure data: no secrets, ever.

export type Severity = 'error' | 'warning' | 'notice'

/** Every finding id the product can emit. Stable kebab-case names: users filter on them. */
export const FINDING_IDS = [
  // workflow file
  'packages-permission-missing',
  'packages-permission-undeclared',
  'reusable-workflow-permission-ceiling',
  'reusable-workflow-not-checked',
  'permissions-invalid',
  'push-without-run-token',
  'workflow-unreadable',
  'workflow-invalid',
  'workflow-job-not-found',
  // run context
  'fork-pull-request',
  'dependabot-run',
  // image references
  'image-name-uppercase',
  'image-registry-mismatch',
  'image-owner-mismatch',
  'image-name-invalid',
  'registry-host-mismatch',
  'registry-login-missing',
  // package / registry answers
  'package-not-linked',
  'org-package-create-denied',
  'org-package-write-denied',
  'github-token-denied',
  'github-token-app-token',
  'github-token-fine-grained',
  // fallback token
  'fallback-token-missing',
  'fallback-token-fine-grained',
  'fallback-token-app-token',
  'fallback-token-scopes',
  'fallback-token-invalid',
  'fallback-token-sso',
  'fallback-token-expiring',
  'fallback-token-owner-mismatch',
  'org-forbids-classic-pat',
  // environment
  'probe-inconclusive',
  'probe-disabled',
  'input-invalid',
] as const

export type FindingId = (typeof FINDING_IDS)[number]

export interface Finding {
  id: FindingId
  severity: Severity
  title: string
  /** What is wrong and where, in one or two sentences naming the thing (job, image, token kind). */
  message: string
  /** Ordered steps: the YAML to write, the setting to click, each with its direct URL. */
  fix: string[]
  /** Repository-relative POSIX path. */
  file?: string
  /** 1-based. */
  line?: number
  /** 1-based. */
  column?: number
  /** The normalised image reference the finding is about. */
  image?: string
  /** `diagnose` only: the log line the finding rests on, as printed (timestamps and colours removed). */
  evidence?: string
  /**
   * `diagnose` only: when the evidence cannot tell causes apart, every cause it fits, most likely
   * first (this finding's id is the first).
   */
  candidates?: FindingId[]
  /**
   * The other lines that support it (every push or login the finding rests on), for SARIF
   * `relatedLocations` and the text output. Not part of the contracts §5 JSON shape.
   */
  related?: RelatedLocation[]
  /**
   * The `permissions` edit that fixes it, for `lint --fix` and the summary's patch: the job and
   * the scopes it must grant at least. Not part of the contracts §5 JSON shape.
   */
  permissionFix?: PermissionFix
}

export interface RelatedLocation {
  file: string
  /** 1-based. */
  line: number
  /** 1-based. */
  column: number
  /** What is there, e.g. "docker push ghcr.io/acme/app". */
  message: string
}

export interface PermissionFix {
  /** The job id whose permissions change. */
  job: string
  /** The workflow file of that job, when it is not the finding's own file. */
  file?: string
  /** Scopes the job must grant at least (packages: write, plus what a called workflow asks for). */
  scopes: Record<string, 'read' | 'write'>
  /** The job only may push (a login, then a script): a person confirms before write is granted. */
  likely?: boolean
}

/**
 * Where the run happens: everything a fix text needs to build direct links.
 * serverUrl has no trailing slash (https://github.com, https://ghe.example.com).
 */
export interface Place {
  serverUrl: string
  /** owner/repo of the run. */
  repository: string
  /** Registry host, e.g. ghcr.io. */
  registry: string
  /**
   * Who shows the finding: the action in a run (default) or the `ghcr-preflight` command line,
   * whose fix texts must not tell a developer at a terminal to add a step to a workflow.
   */
  tool?: 'action' | 'cli'
}

/** Facts a detector knows about one finding; the catalogue turns them into title, message and fix steps. */
export interface FindingFacts {
  /** Overrides the catalogue's generic message. Say the specific thing: which job, which image, which value. */
  message?: string
  /** Extra fix steps placed before the catalogue's generic ones. */
  fix?: string[]
  /** `fix` replaces the catalogue's steps instead (they do not fit this case). */
  fixReplaces?: boolean
  severity?: Severity
  file?: string
  line?: number
  column?: number
  image?: string
  related?: RelatedLocation[]
  permissionFix?: PermissionFix
  /** Named details the catalogue's fix builder may use (job, owner, ownerType 'user'|'org', package, ssoUrl, expires, linkedRepository, ...). */
  details?: Record<string, string | undefined>
}
