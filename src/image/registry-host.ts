// Does the registry belong to the GitHub the run is on? A GHES or GHE.com token is not valid on
// ghcr.io, and a github.com token is not valid on an Enterprise instance's containers.<host>.

import { registryForServer } from '../context.js'
import { makeFinding } from '../findings/catalogue.js'
import type { Finding, Place } from '../findings/types.js'

/** Returns one registry-host-mismatch finding, or none when the registry matches the server. */
export function checkRegistryHost(serverUrl: string, registry: string, place: Place): Finding[] {
  let expected: string
  let serverHost: string
  try {
    serverHost = new URL(serverUrl).host.toLowerCase()
    expected = registryForServer(serverUrl)
  } catch {
    return [] // readRunContext already rejects a bad GITHUB_SERVER_URL
  }
  const actual = registry
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '')
  if (actual === expected) return []
  const onDotCom = expected === 'ghcr.io'
  // Only GitHub registries are judged here; any other host is an image-level concern.
  const isGitHubRegistry = actual === 'ghcr.io' || actual.startsWith('containers.')
  if (!isGitHubRegistry) return []

  const message = onDotCom
    ? `this run is on ${serverHost} but the registry is "${actual}", the Container registry of a GitHub Enterprise instance: the run's GITHUB_TOKEN from github.com is not valid there`
    : `this run is on ${serverHost} (GitHub Enterprise) but the registry is "${actual}": a GITHUB_TOKEN from ${serverHost} is only valid on that instance's own Container registry, ${expected}`
  return [
    makeFinding('registry-host-mismatch', place, {
      message,
      details: { registry: actual, expectedRegistry: expected, serverHost },
    }),
  ]
}
