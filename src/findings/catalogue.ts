// The one catalogue of findings: severity, title, why it happens, and how to fix it.
// docs/findings.md is rendered from this file (render-markdown.ts); a test checks it is current.
// Fix steps are plain text. A step may carry a code block: its first line is the sentence, the
// following lines are indented by four spaces (render-markdown.ts and the summary turn them
// into code blocks; the log shows them as they are).

import { registryForServer } from '../context.js'
import {
  dependabotSecretsUrl,
  newClassicPatUrl,
  orgActionsSettingsUrl,
  orgPackageSettingsUrl,
  orgSettingsUrl,
  packageSettingsUrl,
  packageUrl,
  repoActionsSettingsUrl,
  repoSecretsUrl,
  repositoryUrl,
  tokensUrl,
  type OwnerType,
} from './links.js'
import type { Finding, FindingFacts, FindingId, Place, Severity } from './types.js'

export interface DocLink {
  title: string
  url: string
}

export interface CatalogueEntry {
  severity: Severity
  title: string
  /** When it fires, one sentence (rendered in docs/findings.md). */
  when: string
  /** Why it breaks the push; used as the message when a detector gives none. */
  why: string
  /** Fix steps for this place; details come from the detector (job, owner, ownerType, package, ...). */
  fix: (place: Place, details: Record<string, string | undefined>) => string[]
  docs: DocLink[]
}

type Details = Record<string, string | undefined>

// ---- documentation links (GitHub docs pages cited in the research) ----

const DOC = {
  permissionsSyntax: {
    title: 'Workflow syntax: permissions',
    url: 'https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#permissions',
  },
  tokenPermissions: {
    title: 'Automatic token authentication: permissions for the GITHUB_TOKEN',
    url: 'https://docs.github.com/en/actions/security-guides/automatic-token-authentication#permissions-for-the-github_token',
  },
  readOnlyDefault: {
    title: 'Changelog: default GITHUB_TOKEN permissions set to read-only (2023-02-02)',
    url: 'https://github.blog/changelog/2023-02-02-github-actions-updating-the-default-github_token-permissions-to-read-only',
  },
  repoActionsSettings: {
    title: 'Managing GitHub Actions settings for a repository',
    url: 'https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/enabling-features-for-your-repository/managing-github-actions-settings-for-a-repository',
  },
  reusableWorkflows: {
    title: 'Reusing workflow configurations',
    url: 'https://docs.github.com/en/actions/reference/workflows-and-actions/reusing-workflow-configurations',
  },
  variables: {
    title: 'Variables reference: GITHUB_WORKFLOW_REF, GITHUB_JOB',
    url: 'https://docs.github.com/en/actions/reference/workflows-and-actions/variables',
  },
  events: {
    title: 'Events that trigger workflows: pull_request',
    url: 'https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows#pull_request',
  },
  dependabot: {
    title: 'Troubleshooting Dependabot on GitHub Actions',
    url: 'https://docs.github.com/en/code-security/dependabot/troubleshooting-dependabot/troubleshooting-dependabot-on-github-actions',
  },
  containerRegistry: {
    title: 'Working with the Container registry',
    url: 'https://docs.github.com/en/packages/working-with-a-github-packages-registry/working-with-the-container-registry',
  },
  metadataSanitize: {
    title: 'docker/metadata-action: image name and tag sanitization',
    url: 'https://github.com/docker/metadata-action#image-name-and-tag-sanitization',
  },
  publishWithActions: {
    title: 'Publishing and installing a package with GitHub Actions',
    url: 'https://docs.github.com/en/packages/managing-github-packages-using-github-actions-workflows/publishing-and-installing-a-package-with-github-actions',
  },
  packageAccess: {
    title: "Configuring a package's access control and visibility",
    url: 'https://docs.github.com/en/packages/learn-github-packages/configuring-a-packages-access-control-and-visibility',
  },
  connectRepository: {
    title: 'Connecting a repository to a package',
    url: 'https://docs.github.com/en/packages/learn-github-packages/connecting-a-repository-to-a-package',
  },
  packagePermissions: {
    title: 'About permissions for GitHub Packages',
    url: 'https://docs.github.com/en/packages/learn-github-packages/about-permissions-for-github-packages',
  },
  orgActions: {
    title: 'Disabling or limiting GitHub Actions for your organization (workflow permissions)',
    url: 'https://docs.github.com/en/organizations/managing-organization-settings/disabling-or-limiting-github-actions-for-your-organization',
  },
  secrets: {
    title: 'Using secrets in GitHub Actions',
    url: 'https://docs.github.com/en/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions',
  },
  aboutSecrets: {
    title: 'About secrets: naming and precedence',
    url: 'https://docs.github.com/en/actions/security-for-github-actions/security-guides/about-secrets',
  },
  pats: {
    title: 'Managing your personal access tokens',
    url: 'https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/managing-your-personal-access-tokens',
  },
  oauthScopes: {
    title: 'Scopes for OAuth apps (X-OAuth-Scopes)',
    url: 'https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps',
  },
  tokenFormats: {
    title: 'Changelog: authentication token format updates',
    url: 'https://github.blog/changelog/2021-03-31-authentication-token-format-updates-are-generally-available',
  },
  samlSso: {
    title: 'Authorizing a personal access token for use with SAML single sign-on',
    url: 'https://docs.github.com/en/github/authenticating-to-github/authorizing-a-personal-access-token-for-use-with-saml-single-sign-on',
  },
  dataResidency: {
    title: 'GitHub Enterprise Cloud with data residency (GHE.com): feature overview',
    url: 'https://docs.github.com/en/enterprise-cloud@latest/admin/data-residency/feature-overview-for-github-enterprise-cloud-with-data-residency',
  },
  githubStatus: { title: 'GitHub status', url: 'https://www.githubstatus.com/' },
  workflowSyntax: {
    title: 'Workflow syntax for GitHub Actions',
    url: 'https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax',
  },
  yamlAnchors: {
    title: 'YAML anchors and aliases (merge keys are not supported: actions/runner#1182)',
    url: 'https://docs.github.com/en/actions/reference/workflows-and-actions/reusing-workflow-configurations#yaml-anchors-and-aliases',
  },
  tokenScopes: {
    title: 'Defining access for the GITHUB_TOKEN scopes',
    url: 'https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#defining-access-for-the-github_token-scopes',
  },
} satisfies Record<string, DocLink>

/** Every action a fix text names is pinned by commit SHA, as this project pins its own. */
const METADATA_ACTION = 'docker/metadata-action@dc802804100637a589fabce1cb79ff13a1411302 # v6.2.0'

// ---- helpers that turn details into exact text ----

/** docker/login-action pinned by commit, as every action reference in a fix text is. */
const LOGIN_ACTION = 'docker/login-action@dbcb813823bdd20940b903addbd779551569679f # v4.6.0'

/** The Container registry of the run's GitHub instance; ghcr.io for a malformed URL. */
function registryOf(serverUrl: string): string {
  try {
    return registryForServer(serverUrl)
  } catch {
    return 'ghcr.io'
  }
}

function repoOwner(place: Place): string {
  return place.repository.split('/')[0] ?? place.repository
}

function hostOf(place: Place): string {
  try {
    return new URL(place.serverUrl).host
  } catch {
    return place.serverUrl
  }
}

/** The job's key; GitHub's own placeholder (`jobs.<job_id>`) when the detector did not name it. */
function jobKey(d: Details): string {
  return `jobs.${d.job ?? '<job_id>'}`
}

/** The YAML block a job needs to push with the run's token, as an indented code block. */
function permissionsBlock(place: Place, indent = '    '): string {
  return ['permissions:', '  contents: read', `  packages: write # push to ${place.registry}`]
    .map((l) => indent + l)
    .join('\n')
}

function addPermissionsStep(place: Place, d: Details): string {
  return `Under \`${jobKey(d)}:\`${d.file ? ` in ${d.file}` : ''} add (or complete) its permissions block, keeping any other scopes the job uses (every scope you leave out becomes \`none\`):\n${permissionsBlock(place)}`
}

function packageOwner(place: Place, d: Details): string {
  return d.owner ?? d.org ?? repoOwner(place)
}

/** The package's name, or undefined when the detector did not know it (never a guess). */
function packageName(d: Details): string | undefined {
  return d.package || undefined
}

/** A URL with placeholders, shown as code so that nobody follows it as a link. */
function urlShape(url: string): string {
  return `\`${url}\``
}

function ownerTypeOf(d: Details): OwnerType | undefined {
  if (d.ownerType === 'user' || d.ownerType === 'org') return d.ownerType
  if (d.org !== undefined && d.owner === undefined) return 'org'
  return undefined
}

/**
 * A package page or its settings: the direct URL when the package is known; both forms when we do
 * not know whether the owner is a user or an org; a URL shape with PACKAGE when the package is
 * unknown (`explain` has no package: linking one named after the repository would be a guess).
 */
function packagePlaceText(place: Place, d: Details, settings: boolean): string {
  const owner = packageOwner(place, d)
  const pkg = packageName(d)
  const url = (type: OwnerType) =>
    pkg === undefined
      ? urlShape(`${packageUrl(place, type, owner, 'PACKAGE')}${settings ? '/settings' : ''}`)
      : settings
        ? packageSettingsUrl(place, type, owner, pkg)
        : packageUrl(place, type, owner, pkg)
  const type = ownerTypeOf(d)
  if (type) return url(type)
  return `${url('org')} (organisation) or ${url('user')} (personal account)`
}

function packageSettingsText(place: Place, d: Details): string {
  return packagePlaceText(place, d, true)
}

function packagePageText(place: Place, d: Details): string {
  return packagePlaceText(place, d, false)
}

function imageName(place: Place, d: Details): string {
  return (
    d.image ??
    `${place.registry}/${packageOwner(place, d).toLowerCase()}/${packageName(d) ?? 'IMAGE'}`
  )
}

/**
 * The permissions step for a registry refusal. The decision code sets `jobGrantsWrite` ('yes' or
 * 'no') from the workflow file; a job that already grants `packages: write` is not told to add
 * it, and without the file the step is conditional.
 */
function permissionsStepForRefusal(place: Place, d: Details): string[] {
  if (d.specificFix || d.jobGrantsWrite === 'yes') return []
  if (d.jobGrantsWrite === 'no') return [addPermissionsStep(place, d)]
  return [
    `If \`${jobKey(d)}:\`${d.file ? ` in ${d.file}` : ''} does not grant \`packages: write\` yet, add (or complete) its permissions block, keeping any other scopes the job uses:\n${permissionsBlock(place)}`,
  ]
}

function orgOf(place: Place, d: Details): string {
  return d.org ?? d.owner ?? repoOwner(place)
}

function manageActionsAccessStep(place: Place, d: Details): string {
  return `Open the package settings at ${packageSettingsText(place, d)}. Under "Manage Actions access" click "Add repository", pick \`${place.repository}\`, then set its role to "Write" (you need admin rights on the package; there is no API for this, only the web page)`
}

function useFallbackStep(place: Place): string {
  return `Or log in with a classic PAT instead: create one with the \`write:packages\` scope at ${newClassicPatUrl(place)}, store it as the secret \`GHCR_TOKEN\` at ${repoSecretsUrl(place)}, and pass it to ghcr-preflight:\n    with:\n      fallback-token: \${{ secrets.GHCR_TOKEN }}`
}

// The secret at the lowest level wins: environment over repository over organisation
// (https://docs.github.com/en/actions/security-for-github-actions/security-guides/about-secrets).
function replaceSecretStep(place: Place): string {
  return `Update the secret \`GHCR_TOKEN\` with the new token at ${repoSecretsUrl(place)}; if the job runs in an environment that has its own \`GHCR_TOKEN\`, update that one instead (an environment secret overrides a repository secret, which overrides an organisation secret of the same name)`
}

// ---- the catalogue ----

export const CATALOGUE: Record<FindingId, CatalogueEntry> = {
  'packages-permission-missing': {
    severity: 'error',
    title: 'job token lacks packages: write',
    when: "The job's effective `permissions` block does not give `packages: write` (a block without `packages`, `read-all`, `{}`, `packages: read` or `packages: none`).",
    why: 'The job\'s `permissions` block does not grant `packages: write`, so the run\'s GITHUB_TOKEN cannot push: ghcr.io answers "installation not allowed to Write organization package" (or "…Create…", or "permission_denied: write_package").',
    fix: (place, d) => [
      ...(d.specificFix ? [] : [addPermissionsStep(place, d)]),
      `Changing the repository's "Workflow permissions" setting (${repoActionsSettingsUrl(place)}) will not help: an explicit \`permissions\` block replaces that default for this job`,
    ],
    docs: [DOC.permissionsSyntax, DOC.tokenPermissions, DOC.publishWithActions],
  },
  'packages-permission-undeclared': {
    severity: 'warning',
    title: 'packages permission depends on the repository default',
    when: 'Neither the job nor the workflow has a `permissions` block, so the token gets the repository or organisation default.',
    why: "Neither the job nor the workflow declares `permissions`, so the token gets the repository's default, which is read-only (`packages: read`) for repositories created since February 2023 and wherever an organisation or enterprise restricts it.",
    fix: (place, d) => [
      ...(d.specificFix ? [] : [addPermissionsStep(place, d)]),
      `An explicit \`packages: write\` is better than switching the repository to "Read and write permissions" at ${repoActionsSettingsUrl(place)}: it works the same in forks, copies and transferred repositories, it cannot be overridden by an organisation or enterprise default (which can lock that setting to read-only), and it does not give every other workflow write access to every scope`,
    ],
    docs: [
      DOC.permissionsSyntax,
      DOC.tokenPermissions,
      DOC.readOnlyDefault,
      DOC.repoActionsSettings,
    ],
  },
  'reusable-workflow-permission-ceiling': {
    severity: 'error',
    title: 'calling job grants less than the reusable workflow needs',
    when: 'A job calls a reusable workflow that needs `packages: write` while the calling job grants less.',
    why: "A called workflow can only lower the permissions its caller grants, never raise them; GitHub refuses to start the run (startup_failure: \"The nested job … is requesting 'packages: write', but is only allowed 'packages: read'\").",
    fix: (place, d) => [
      `Under \`${jobKey(d)}:\` (the job with \`uses: ${d.callee ?? '<reusable workflow>'}\`) add:\n${permissionsBlock(place)}`,
      'A calling job without a `permissions` block passes the repository default, which is usually read-only: declare it even when the called workflow declares its own',
    ],
    docs: [DOC.reusableWorkflows, DOC.permissionsSyntax],
  },
  'reusable-workflow-not-checked': {
    severity: 'notice',
    title: 'reusable workflow permissions not checked',
    when: 'The job runs in, or calls, a reusable workflow whose file or calling job could not be read, so the permission ceiling was not checked.',
    why: 'The permissions of a reusable workflow are capped by the job that calls it, and that pair could not be read here, so the `packages: write` check rests on the registry probe alone.',
    fix: (place, d) => [
      `Make sure the calling job${d.job ? ` of \`${d.job}\`` : ''} declares:\n${permissionsBlock(place)}`,
      place.tool === 'cli'
        ? 'Lint the calling and the called workflow together (give both files, or the repository root) so the pair is checked offline'
        : 'Run `npx ghcr-preflight lint` in the repository that holds the calling workflow to check the pair offline',
    ],
    docs: [DOC.reusableWorkflows],
  },
  'workflow-unreadable': {
    severity: 'warning',
    title: 'workflow file could not be read',
    when: 'The workflow file could not be found or parsed.',
    why: 'The workflow file could not be read or parsed, so its `permissions` were not checked; the verdict rests on the registry probe alone.',
    fix: (place, d) =>
      place.tool === 'cli'
        ? [
            'Make it a YAML mapping with `on:` and `jobs:` (GitHub rejects any other file in .github/workflows), or remove it from the paths you lint; actionlint shows YAML errors with more context',
          ]
        : [
            `Run \`actions/checkout\` before ghcr-preflight so ${d.file ? `\`${d.file}\`` : 'the workflow file'} is in the workspace, or set \`workflow-file:\` to its path (e.g. \`.github/workflows/build.yml\`)`,
            'If the file is there but does not parse, run `npx ghcr-preflight lint` (or actionlint) on it and fix the YAML error it reports',
          ],
    docs: [DOC.variables],
  },
  'workflow-invalid': {
    severity: 'error',
    title: 'GitHub rejects the workflow file',
    when: 'The file parses as YAML but is not a workflow GitHub accepts: no `on`, no `jobs` (or none defined), or a YAML merge key (`<<:`).',
    why: 'GitHub validates the whole file before it runs anything: a workflow without `on` or `jobs`, or with a YAML merge key (GitHub supports anchors and aliases but not `<<:` merges), is shown as "Invalid workflow file" and never runs.',
    fix: () => [
      'Give the file an `on:` trigger and at least one job under `jobs:`',
      'Replace a merge key (`<<: *anchor`) by the keys it would merge, or alias the whole mapping (`env: *anchor`): GitHub expands anchors and aliases but rejects `<<`',
    ],
    docs: [DOC.workflowSyntax, DOC.yamlAnchors],
  },
  'permissions-invalid': {
    severity: 'error',
    title: 'permissions has an unknown scope or value',
    when: 'A `permissions` block names a scope GitHub does not know, gives a scope a value it does not accept, or is neither a scope map, `read-all`, `write-all` nor `{}`.',
    why: 'GitHub validates every `permissions` block before the run starts; an unknown scope or value makes it reject the whole workflow file ("Invalid workflow file"), so no job runs, pushing or not.',
    fix: () => [
      'Use only the scopes GitHub lists, each with a value it accepts: `read`, `write` or `none` (`id-token` and `copilot-requests`: `write` or `none`; `models` and `vulnerability-alerts`: `read` or `none`); or write `read-all`, `write-all` or `{}` for the whole block',
    ],
    docs: [DOC.tokenScopes, DOC.permissionsSyntax],
  },
  'push-without-run-token': {
    severity: 'notice',
    title: "job pushes with a stored token, not the run's token",
    when: "A job pushes to the registry after logging in with a secret or another token rather than the run's `GITHUB_TOKEN`, so it needs no `packages: write`.",
    why: "The push authenticates with a stored token (usually a personal access token), not the run's GITHUB_TOKEN, so `packages: write` does not matter to it; but the token has to be rotated, leaks more than it needs, and breaks in forks and for Dependabot.",
    fix: (place, d) => [
      `If the package belongs to this repository's owner, let the run's token push instead: in the package settings (${packageSettingsText(place, d)}) under "Manage Actions access" add \`${place.repository}\` with the Write role (or connect the package to it), then give ${d.job ? `job \`${d.job}\`` : 'the job'}:\n${permissionsBlock(place)}`,
      "Then log in with `password: ${{ secrets.GITHUB_TOKEN }}` and delete the stored token; keep it only for a namespace the run's token cannot write (another owner's packages)",
    ],
    docs: [DOC.packageAccess, DOC.publishWithActions],
  },
  'workflow-job-not-found': {
    severity: 'warning',
    title: 'running job not found in the workflow file',
    when: 'The job named by GITHUB_JOB is not among the jobs of the workflow file that was read.',
    why: 'The running job is not in the workflow file that was read (a reusable workflow, or `workflow-file` pointing elsewhere), so its `permissions` were not checked.',
    fix: (_place, d) => [
      `Set \`workflow-file:\` to the file that defines \`${jobKey(d)}\`${d.file ? ` (it is not in ${d.file})` : ''}`,
      'Inside a reusable workflow GITHUB_WORKFLOW_REF names the caller: pass the called file with `workflow-file: ${{ job.workflow_file_path }}` where available',
    ],
    docs: [DOC.variables, DOC.reusableWorkflows],
  },
  'fork-pull-request': {
    // A notice: with on-untrusted: skip the step succeeds and says so once (contracts §2); with
    // on-untrusted: fail the decision raises it to the error that fails the step.
    severity: 'notice',
    title: 'pull request from a fork',
    when: 'The run comes from a pull request whose head repository is a fork (or was deleted).',
    why: 'This run comes from a pull request from a fork: GitHub makes its GITHUB_TOKEN read-only whatever `permissions` says, and passes no secrets, so no push to the registry can work here.',
    fix: (place) => [
      `Skip the login and push for fork pull requests: add to those steps (or the job)\n    if: \${{ !github.event.pull_request || github.event.pull_request.head.repo.full_name == github.repository }}\n  (in a workflow that only runs on pull requests, \`if: github.event.pull_request.head.repo.full_name == github.repository\` is enough; on other events that short form is false and would skip every push)`,
      `With docker/build-push-action, build but do not push:\n    push: \${{ !github.event.pull_request || github.event.pull_request.head.repo.full_name == github.repository }}`,
      "ghcr-preflight already reports `can-push: false` here (with `on-untrusted: skip`); you can also gate later steps with `if: steps.<id>.outputs.can-push == 'true'`",
      `Do not switch to \`pull_request_target\` to get a write token unless the job runs behind an environment with required reviewers (${repositoryUrl(place)}/settings/environments): it runs with a write token and secrets on code you have not reviewed`,
    ],
    docs: [DOC.events, DOC.tokenPermissions],
  },
  'dependabot-run': {
    severity: 'warning',
    title: 'run triggered by Dependabot',
    when: 'The run was triggered by Dependabot (actor or triggering actor `dependabot[bot]`).',
    why: 'This run was triggered by Dependabot: its GITHUB_TOKEN is read-only by default and only Dependabot secrets are available (Actions secrets such as GHCR_TOKEN are empty); this holds even when someone else re-runs it.',
    fix: (place, d) => [
      `The \`permissions\` key can raise the token for Dependabot runs: ${addPermissionsStep(place, d).replace(/^Under/, 'under')}`,
      `If you log in with a PAT, add it as a Dependabot secret named \`GHCR_TOKEN\` at ${dependabotSecretsUrl(place)} (Actions secrets are not passed to Dependabot runs)`,
      "Or skip the push for Dependabot: add `if: github.actor != 'dependabot[bot]'` to the login and push steps",
    ],
    docs: [DOC.dependabot, DOC.permissionsSyntax],
  },
  'image-name-uppercase': {
    severity: 'error',
    title: 'image name has capitals',
    when: 'An image reference has capitals in its owner or name (often from `${{ github.repository }}`).',
    why: 'Image names must be lower-case: Docker stops before sending anything with "invalid reference format: repository name must be lowercase".',
    fix: (place, d) => [
      `Lower-case the name in a shell step before using it:\n    - run: echo "IMAGE=${place.registry}/\${GITHUB_REPOSITORY,,}" >> "$GITHUB_ENV"\n  then use \`\${{ env.IMAGE }}\`${d.image ? ` (here: \`${d.image}\`)` : ''}`,
      `Or let docker/metadata-action build the tags; it lower-cases the image name:\n    - id: meta\n      uses: ${METADATA_ACTION}\n      with:\n        images: ${place.registry}/\${{ github.repository }}\n  and pass \`tags: \${{ steps.meta.outputs.tags }}\` to docker/build-push-action`,
    ],
    docs: [DOC.metadataSanitize, DOC.containerRegistry],
  },
  'image-registry-mismatch': {
    severity: 'error',
    title: 'image is not on the registry',
    when: 'The image reference has no registry prefix (Docker Hub), a mistyped host such as `ghrc.io`, or another host.',
    why: 'The image is not on the registry this run pushes to: without a host Docker pushes to Docker Hub and fails with "denied: requested access to the resource is denied".',
    fix: (place, d) => [
      `Write the full name, starting with the registry: \`${place.registry}/${(d.owner ?? repoOwner(place)).toLowerCase()}/IMAGE\` (in a workflow: \`${place.registry}/\${{ github.repository_owner }}/IMAGE\`, lower-cased)`,
    ],
    docs: [DOC.containerRegistry],
  },
  'image-owner-mismatch': {
    severity: 'error',
    title: "image is outside the repository owner's namespace",
    when: 'The image namespace is not the owner of the repository the run belongs to.',
    why: "The image's namespace is not this repository's owner: the run's GITHUB_TOKEN can only push to packages in its own owner's namespace.",
    fix: (place, d) => {
      const pkg = d.package || 'IMAGE'
      const owner = repoOwner(place).toLowerCase()
      const pat = `log in with a classic PAT of an account that can write it: create one with \`write:packages\` at ${newClassicPatUrl(place)}, store it as \`GHCR_TOKEN\` at ${repoSecretsUrl(place)}, and set \`fallback-token: \${{ secrets.GHCR_TOKEN }}\``
      // The registry refused to create a package in the repository's own namespace: moving it
      // there is no fix; the organisation's package creation policy (or the job) is.
      if (d.owner !== undefined && d.owner.toLowerCase() === owner) {
        return [
          ...permissionsStepForRefusal(place, d),
          `An organisation owner can check which package visibilities members may create at ${orgPackageSettingsUrl(place, orgOf(place, d))} ("Package creation")`,
          `Or create the package once with a classic PAT, then grant \`${place.repository}\` the Write role under "Manage Actions access"; or ${pat}`,
        ]
      }
      return [
        `Push under this repository's owner instead: \`${place.registry}/${owner}/${pkg}\``,
        `Or keep \`${imageName(place, d)}\` and ${pat}`,
      ]
    },
    docs: [DOC.packagePermissions, DOC.publishWithActions],
  },
  'image-name-invalid': {
    severity: 'error',
    title: 'invalid image name',
    when: 'The image reference is empty, has an empty part (`ghcr.io//app`), illegal characters, whitespace, a bad tag or digest, or is too long.',
    why: 'The image reference is not a valid name, so Docker refuses it before any push.',
    fix: (place) => [
      `Write names as \`${place.registry}/OWNER/IMAGE[:TAG]\`: each part holds lower-case letters, digits and the separators ".", "_", "__" or "-", and starts and ends with a letter or digit`,
      'If the name is built from an expression (`${{ … }}`), check the expression is set in this job: an empty value leaves an empty part such as `ghcr.io//app`',
    ],
    docs: [DOC.containerRegistry],
  },
  'registry-host-mismatch': {
    severity: 'error',
    title: 'registry does not belong to this GitHub',
    when: 'A GitHub Enterprise Server or GHE.com run targets ghcr.io, or a github.com run targets `containers.<host>`.',
    why: "The run's GITHUB_TOKEN is only valid on the Container registry of the GitHub instance the run is on.",
    fix: (place, d) => {
      // The two ways out: push to this instance's own registry with the run's token, or keep the
      // other registry and log in there with a classic PAT issued by the instance it belongs to.
      const expected = d.expectedRegistry ?? registryOf(place.serverUrl)
      const other = d.registry ?? place.registry
      const steps = [
        `Push to \`${expected}\`, where this run's GITHUB_TOKEN works: name the images \`${expected}/OWNER/IMAGE\` and remove any \`registry\` input`,
      ]
      if (expected !== 'ghcr.io') {
        steps.push(
          `On GitHub Enterprise Server the Container registry needs GitHub Packages and subdomain isolation enabled by a site administrator; images link to their repository with \`LABEL org.opencontainers.image.source=${repositoryUrl(place)}\``,
        )
      }
      steps.push(
        `Or keep \`${other}\`: set \`registry: ${other}\` and pass a classic personal access token with \`write:packages\` created on ${other === 'ghcr.io' ? 'github.com' : `the instance that serves ${other}`} as \`fallback-token\` (e.g. \`\${{ secrets.GHCR_TOKEN }}\`); ghcr-preflight proves it on ${other} and logs in with it. A token of this instance is never valid there`,
      )
      return steps
    },
    docs: [DOC.containerRegistry, DOC.dataResidency],
  },
  'registry-login-missing': {
    severity: 'error',
    title: 'job pushes without logging in',
    when: 'The job pushes to the registry, but no step of it logs in there (the ghcr-preflight/preflight sub-action only checks), or a job log shows the push refused as unauthenticated with no login before it (`diagnose`).',
    why: 'Nothing in the job logs in to the registry, so the push goes out without credentials (or with stale ones) and fails with "unauthorized: unauthenticated: User cannot be authenticated with the token provided." (`container.credentials` only authenticates pulling the job\'s container image; it does not log the job\'s docker in).',
    fix: (place, d) => {
      const id = d.preflightStep
      const login = id
        ? `Log in before the push with the credential ghcr-preflight proved${d.preflightNeedsId ? ` (give the ghcr-preflight step \`id: ${id}\`)` : ''}:\n    - uses: ${LOGIN_ACTION}\n      if: steps.${id}.outputs.can-push == 'true'\n      with:\n        registry: \${{ steps.${id}.outputs.registry }}\n        username: \${{ steps.${id}.outputs.username }}\n        password: \${{ steps.${id}.outputs.password }}`
        : `Log in before the push step, with the run's token (the job needs \`permissions: packages: write\`):\n    - uses: ${LOGIN_ACTION}\n      with:\n        registry: ${place.registry}\n        username: \${{ github.actor }}\n        password: \${{ secrets.GITHUB_TOKEN }}`
      return [
        login,
        `Or use ghcr-preflight's one-line form (the action at the repository root, not its \`/preflight\` sub-action), which checks the credential and logs in to ${place.registry} itself`,
        'A self-hosted runner that keeps a saved login is the exception: point the job at it with `DOCKER_CONFIG`, so the login is visible in the workflow',
      ]
    },
    docs: [DOC.publishWithActions, DOC.containerRegistry],
  },
  'package-not-linked': {
    severity: 'error',
    title: 'package does not grant this repository write access',
    when: 'The package exists and is not connected to this repository, or this repository lacks Write under "Manage Actions access".',
    why: 'The package already exists (created by a person with a PAT, or by another repository) and does not give this repository write access, so the run\'s token is refused with "permission_denied: write_package" or "installation not allowed to Write organization package".',
    fix: (place, d) => {
      // Said inside the first step, so the annotation's "Fix:" line is an action, not a fact.
      const linked =
        d.linkedRepository && d.linkedRepository.toLowerCase() !== place.repository.toLowerCase()
          ? `. The package is connected to \`${d.linkedRepository}\`, so only that repository's workflows get write access by default`
          : ''
      const steps: string[] = []
      steps.push(
        manageActionsAccessStep(place, d) + linked,
        `Or, if the package is not connected to a repository yet: on the package page ${packagePageText(place, d)} click "Connect repository" and pick \`${place.repository}\`, then in the package settings tick "Inherit access from source repository" (a package connected afterwards keeps its old access list unless you tick it)`,
        `So that new packages are connected when they are first pushed, label the image with its source repository, e.g. in the Dockerfile:\n    LABEL org.opencontainers.image.source=${repositoryUrl(place)}\n  (docker/metadata-action adds this label by default)`,
        useFallbackStep(place),
      )
      return steps
    },
    docs: [DOC.packageAccess, DOC.connectRepository, DOC.publishWithActions],
  },
  'org-package-create-denied': {
    severity: 'error',
    title: 'organisation refuses to create the package',
    when: "The organisation refuses to let the run's token create the package (`installation not allowed to Create organization package`).",
    why: 'ghcr.io refused to create a new organisation package with this token ("denied: installation not allowed to Create organization package"): usually the job lacks `packages: write`, the token is not the run\'s own GITHUB_TOKEN, or the image name has a typo and points at a package that does not exist.',
    fix: (place, d) => {
      const org = orgOf(place, d)
      return [
        ...permissionsStepForRefusal(place, d),
        `Check that \`${imageName(place, d)}\` is the package you mean: a typo in the name asks the organisation to create a new package`,
        `An organisation owner can check which package visibilities members may create at ${orgPackageSettingsUrl(place, org)} ("Package creation"), and the organisation's workflow permissions at ${orgActionsSettingsUrl(place, org)}`,
        `Or create the package once with a classic PAT (${newClassicPatUrl(place)}), then grant \`${place.repository}\` the Write role under "Manage Actions access" in its settings`,
      ]
    },
    docs: [DOC.publishWithActions, DOC.packageAccess, DOC.orgActions],
  },
  'org-package-write-denied': {
    severity: 'error',
    title: 'organisation package does not accept this token',
    when: "The organisation package exists and the run's token may not write it (`installation not allowed to Write organization package`).",
    why: 'The organisation package exists and refused this run\'s token ("denied: installation not allowed to Write organization package"): the job lacks `packages: write`, or the package does not give this repository the Write role.',
    fix: (place, d) => [
      ...permissionsStepForRefusal(place, d),
      manageActionsAccessStep(place, { ...d, ownerType: 'org' }),
      `An organisation owner can check the organisation's default workflow permissions at ${orgActionsSettingsUrl(place, orgOf(place, d))}`,
    ],
    docs: [DOC.packageAccess, DOC.permissionsSyntax, DOC.orgActions],
  },
  'github-token-denied': {
    severity: 'error',
    title: "registry refused the run's token",
    when: "The registry refused the run's GITHUB_TOKEN for a reason no more specific finding matches.",
    why: "The registry refused to start an upload with the run's GITHUB_TOKEN.",
    fix: (place, d) => [
      ...permissionsStepForRefusal(place, d),
      manageActionsAccessStep(place, d),
      useFallbackStep(place),
    ],
    docs: [DOC.publishWithActions, DOC.packageAccess, DOC.tokenPermissions],
  },
  'github-token-app-token': {
    severity: 'error',
    title: "github-token is another GitHub App's token",
    when: "The registry answers the `github-token` input with `permission_denied: installation not allowed to …`: it is a GitHub App installation token, not the run's own GITHUB_TOKEN.",
    why: 'The token passed as `github-token` is a GitHub App installation token (e.g. from actions/create-github-app-token), not the run\'s own GITHUB_TOKEN: GitHub Packages accepts no App token but a run\'s own, whatever permissions the App has ("permission_denied: installation not allowed to Create organization package").',
    fix: (place, d) => [
      `Remove the \`github-token\` input (it defaults to \`\${{ github.token }}\`) and let the run's own token push: ${addPermissionsStep(place, d).replace(/^Under/, 'under')}`,
      `Or log in with a classic PAT with \`write:packages\` (${newClassicPatUrl(place)}) stored as \`GHCR_TOKEN\` and passed as \`fallback-token: \${{ secrets.GHCR_TOKEN }}\``,
    ],
    docs: [DOC.packagePermissions, DOC.publishWithActions],
  },
  'github-token-fine-grained': {
    severity: 'error',
    title: 'github-token is a fine-grained PAT',
    when: 'The `github-token` input is a fine-grained personal access token (`github_pat_…`), which GitHub Packages does not accept.',
    why: 'The token passed as `github-token` is a fine-grained personal access token (`github_pat_…`). GitHub Packages accepts only the run\'s own GITHUB_TOKEN and personal access tokens (classic): ghcr.io refuses a fine-grained one whatever it was granted ("The token provided does not match expected scopes").',
    fix: (place, d) => [
      `Remove the \`github-token\` input (it defaults to \`\${{ github.token }}\`) and let the run's own token push: ${addPermissionsStep(place, d).replace(/^Under/, 'under')}`,
      `Or create a classic PAT with \`write:packages\` (${newClassicPatUrl(place)}), store it as \`GHCR_TOKEN\` and pass it as \`fallback-token: \${{ secrets.GHCR_TOKEN }}\``,
    ],
    docs: [DOC.packagePermissions, DOC.pats],
  },
  'fallback-token-missing': {
    // An error like every other fallback problem: a configured fallback is how the run meant to
    // push when its token cannot (docker/login-action#6: the never-created secret was the cause).
    // It is lowered when another credential is proven, and is a warning where secrets are
    // withheld by design (fork pull requests, Dependabot: src/fallback/assess.ts).
    severity: 'error',
    title: 'fallback token is empty',
    when: 'A fallback token was configured but its value is empty in this run.',
    why: 'The `fallback-token` input is empty in this run: the secret does not exist, is not passed to this workflow, or is withheld (fork pull requests get no secrets; Dependabot runs get only Dependabot secrets).',
    fix: (place) => [
      `Create the secret \`GHCR_TOKEN\` at ${repoSecretsUrl(place)}, or fix the name in \`fallback-token: \${{ secrets.GHCR_TOKEN }}\` to match the secret you have; an organisation secret must be shared with \`${place.repository}\``,
      'In a reusable workflow, pass it from the caller: `secrets: { GHCR_TOKEN: ${{ secrets.GHCR_TOKEN }} }`',
      `For Dependabot runs, add it as a Dependabot secret at ${dependabotSecretsUrl(place)}; fork pull requests never get secrets`,
    ],
    docs: [DOC.secrets, DOC.dependabot],
  },
  'fallback-token-fine-grained': {
    severity: 'error',
    title: 'fallback token is a fine-grained PAT',
    when: 'The fallback token is a fine-grained personal access token (`github_pat_`).',
    why: 'The fallback token is a fine-grained personal access token, and GitHub Packages accepts only personal access tokens (classic): the push fails with "permission_denied: The token provided does not match expected scopes".',
    fix: (place) => [
      `Create a classic PAT with the \`write:packages\` scope at ${newClassicPatUrl(place)}`,
      replaceSecretStep(place),
      "Or drop the fallback and give the job `packages: write` so the run's own GITHUB_TOKEN can push",
    ],
    docs: [DOC.packagePermissions, DOC.pats, DOC.aboutSecrets],
  },
  'fallback-token-app-token': {
    severity: 'error',
    title: 'fallback token is a GitHub App token',
    when: "The fallback token is a GitHub App installation token (`ghs_`) other than the run's own.",
    why: "The fallback token is a GitHub App installation token (e.g. from actions/create-github-app-token); App installation tokens cannot write organisation packages, only the run's own GITHUB_TOKEN can.",
    fix: (place, d) => [
      `Remove \`fallback-token\` and let the run's GITHUB_TOKEN push: ${addPermissionsStep(place, d).replace(/^Under/, 'under')}`,
      `Or use a classic PAT with \`write:packages\` (${newClassicPatUrl(place)}) as \`GHCR_TOKEN\``,
    ],
    docs: [DOC.packagePermissions, DOC.tokenFormats],
  },
  'fallback-token-scopes': {
    severity: 'error',
    title: 'fallback token lacks write:packages',
    when: 'The fallback token is a classic PAT (or OAuth token) without the `write:packages` scope.',
    why: 'The fallback token has no `write:packages` scope: the push fails with "denied: permission_denied: The token provided does not match expected scopes".',
    fix: (place, d) => [
      `Signed in as ${d.login ? `\`${d.login}\`` : 'the token owner'}, open ${tokensUrl(place)}, click the token, tick \`write:packages\` and click "Update token" (or create a new one at ${newClassicPatUrl(place)})`,
      `For a token from the GitHub CLI (\`gho_\`): \`gh auth refresh -h ${hostOf(place)} --scopes write:packages\``,
      replaceSecretStep(place),
    ],
    docs: [DOC.packagePermissions, DOC.oauthScopes, DOC.aboutSecrets],
  },
  'fallback-token-invalid': {
    severity: 'error',
    title: 'fallback token is not accepted',
    when: 'The fallback token is expired, revoked or wrong.',
    why: 'GitHub does not accept the fallback token (expired, revoked or mistyped): the push fails with "unauthorized: unauthenticated: User cannot be authenticated with the token provided".',
    fix: (place) => [
      `Regenerate the token at ${tokensUrl(place)} (or create one at ${newClassicPatUrl(place)})`,
      replaceSecretStep(place),
    ],
    docs: [DOC.pats, DOC.secrets, DOC.aboutSecrets],
  },
  'fallback-token-sso': {
    severity: 'error',
    title: 'fallback token not authorised for SAML SSO',
    when: "The fallback token is not authorised for the organisation's SAML single sign-on.",
    why: 'The organisation uses SAML single sign-on and the fallback token has not been authorised for it, so the registry answers "unauthorized".',
    fix: (place, d) => [
      d.ssoUrl
        ? `Authorise the token for ${d.org ? `\`${d.org}\`` : 'the organisation'}: open ${d.ssoUrl} and sign in`
        : `Open ${tokensUrl(place)}, click "Configure SSO" next to the token, and click "Authorize" next to ${d.org ? `\`${d.org}\`` : 'the organisation'}`,
    ],
    docs: [DOC.samlSso],
  },
  'fallback-token-expiring': {
    severity: 'warning',
    title: 'fallback token expires soon',
    when: 'The fallback token expires within the warning window.',
    why: 'The fallback token expires soon; pushes that need it will then fail with "unauthorized".',
    fix: (place, d) => [
      `Regenerate the token at ${tokensUrl(place)} before ${d.expires ?? 'it expires'}`,
      replaceSecretStep(place),
      'Or remove the need for it: give the job `packages: write` and this repository the Write role on the package',
    ],
    docs: [DOC.pats, DOC.aboutSecrets],
  },
  'fallback-token-owner-mismatch': {
    severity: 'error',
    title: "fallback token cannot create packages in another user's namespace",
    when: "The fallback PAT's owner differs from the personal account that owns the image namespace (`permission_denied: create_package`).",
    why: 'Only the owner of a personal account can create packages in its namespace; another account\'s PAT gets "denied: permission_denied: create_package".',
    fix: (place, d) => [
      `Use a classic PAT that belongs to \`${d.owner ?? 'the namespace owner'}\` (${newClassicPatUrl(place)}, signed in as that account)`,
      `Or have \`${d.owner ?? 'the namespace owner'}\` create the package once, then grant ${d.login ? `\`${d.login}\`` : 'the token owner'} the Write role and \`${place.repository}\` Write under "Manage Actions access" at ${packageSettingsText(place, { ...d, ownerType: 'user' })}`,
      'Or publish under an organisation namespace where the token owner has write access',
    ],
    docs: [DOC.packageAccess, DOC.packagePermissions],
  },
  'org-forbids-classic-pat': {
    severity: 'error',
    title: 'organisation forbids classic PATs',
    when: 'The organisation blocks access by personal access tokens (classic).',
    why: "The organisation forbids personal access tokens (classic), and GitHub Packages does not accept fine-grained ones, so only the run's own GITHUB_TOKEN can push to its packages.",
    fix: (place, d) => [
      `Remove \`fallback-token\` and let the run's GITHUB_TOKEN push: ${addPermissionsStep(place, d).replace(/^Under/, 'under')}`,
      manageActionsAccessStep(place, { ...d, ownerType: 'org' }),
      `Or ask an organisation owner to allow classic tokens: ${orgSettingsUrl(place, orgOf(place, d))} → Personal access tokens → Settings`,
    ],
    docs: [DOC.pats, DOC.packageAccess],
  },
  'probe-inconclusive': {
    severity: 'warning',
    title: 'registry could not be asked',
    when: 'The registry or the API could not be asked (timeout, 5xx, 429): nothing was proven.',
    why: 'The registry or the GitHub API did not give a usable answer (timeout, server error or rate limit), so push rights could not be proven either way.',
    fix: () => [
      `Re-run the job; check ${DOC.githubStatus.url} for incidents`,
      'If the network is slow, raise `timeout-seconds` (default 30); set `on-unverified: fail` to stop the job when this happens',
    ],
    docs: [DOC.githubStatus],
  },
  'probe-disabled': {
    severity: 'notice',
    title: 'push probe disabled',
    when: 'The input `probe: false` turned off the live registry check.',
    why: '`probe: false` turned off the live registry check, so the verdict comes from static checks only and push rights are unverified.',
    fix: () => [
      'Remove `probe: false` (or set `probe: true`) to prove push rights before the build',
    ],
    docs: [],
  },
  'input-invalid': {
    severity: 'error',
    title: 'invalid input',
    when: 'An input of the action has a value it cannot use.',
    why: 'An input has a value ghcr-preflight cannot use.',
    fix: (_place, d) =>
      d.input
        ? [
            `Fix the \`${d.input}\` value under \`with:\` of the ghcr-preflight step${d.expected ? `: ${d.expected}` : ''}`,
          ]
        : d.environment
          ? [] // the detector says what to change in the environment
          : [
              'Check the `with:` inputs of the ghcr-preflight step against the inputs table in the ghcr-preflight README',
            ],
    docs: [],
  },
}

/** Builds a finding from the catalogue plus what the detector knows. */
export function makeFinding(id: FindingId, place: Place, facts: FindingFacts = {}): Finding {
  const entry = CATALOGUE[id]
  const details = { ...facts.details }
  // The fix text names the workflow file when the finding has one.
  if (details.file === undefined && facts.file !== undefined) details.file = facts.file
  const finding: Finding = {
    id,
    severity: facts.severity ?? entry?.severity ?? 'error',
    title: entry?.title ?? id,
    message: facts.message ?? entry?.why ?? id,
    fix:
      facts.fixReplaces && facts.fix
        ? facts.fix
        : [...(facts.fix ?? []), ...(entry ? entry.fix(place, details) : [])],
  }
  if (facts.file !== undefined) finding.file = facts.file
  if (facts.line !== undefined) finding.line = facts.line
  if (facts.column !== undefined) finding.column = facts.column
  if (facts.image !== undefined) finding.image = facts.image
  if (facts.related?.length) finding.related = facts.related
  if (facts.permissionFix) finding.permissionFix = facts.permissionFix
  return finding
}
