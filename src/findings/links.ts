// Direct links into GitHub's settings pages, built from the run's server URL so they work on
// github.com, GHE.com and GitHub Enterprise Server alike (the paths are the same on each).

import type { Place } from './types.js'

export type OwnerType = 'user' | 'org'

function base(place: Place | string): string {
  const url = typeof place === 'string' ? place : place.serverUrl
  return url.replace(/\/+$/, '')
}

function seg(s: string): string {
  return encodeURIComponent(s)
}

/** owner/repo split; the repository of the run when not given. */
function repoPath(place: Place, repository = place.repository): string {
  return repository.split('/').map(seg).join('/')
}

export function repositoryUrl(place: Place, repository?: string): string {
  return `${base(place)}/${repoPath(place, repository)}`
}

/** Settings → Actions → General (holds "Workflow permissions"). */
export function repoActionsSettingsUrl(place: Place): string {
  return `${repositoryUrl(place)}/settings/actions`
}

export function repoSecretsUrl(place: Place): string {
  return `${repositoryUrl(place)}/settings/secrets/actions`
}

export function dependabotSecretsUrl(place: Place): string {
  return `${repositoryUrl(place)}/settings/secrets/dependabot`
}

/** A container package's page; a name with `/` in it is one URL segment (`a%2Fb`). */
export function packageUrl(place: Place, ownerType: OwnerType, owner: string, pkg: string): string {
  const kind = ownerType === 'org' ? 'orgs' : 'users'
  return `${base(place)}/${kind}/${seg(owner)}/packages/container/${seg(pkg)}`
}

export function packageSettingsUrl(
  place: Place,
  ownerType: OwnerType,
  owner: string,
  pkg: string,
): string {
  return `${packageUrl(place, ownerType, owner, pkg)}/settings`
}

/** Organisation settings → Packages (package creation, default package settings). */
export function orgPackageSettingsUrl(place: Place, org: string): string {
  return `${base(place)}/organizations/${seg(org)}/settings/packages`
}

/** Organisation settings → Actions → General (the org's workflow permissions default). */
export function orgActionsSettingsUrl(place: Place, org: string): string {
  return `${base(place)}/organizations/${seg(org)}/settings/actions`
}

export function orgSettingsUrl(place: Place, org: string): string {
  return `${base(place)}/organizations/${seg(org)}/settings`
}

/** New classic PAT with write:packages ticked and a recognisable name. */
export function newClassicPatUrl(place: Place): string {
  return `${base(place)}/settings/tokens/new?scopes=write:packages&description=GHCR_TOKEN`
}

/** The classic token list: regenerate, change scopes, "Configure SSO". */
export function tokensUrl(place: Place): string {
  return `${base(place)}/settings/tokens`
}
