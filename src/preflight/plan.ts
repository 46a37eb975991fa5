// Pure: what the inputs and the run's context settle before any request is sent: the registry,
// the images to probe, whether the run is untrusted, which credentials are worth sending.

import type { RunContext } from '../context.js'
import { makeFinding } from '../findings/catalogue.js'
import type { Finding, Place } from '../findings/types.js'
import { checkRegistryHost } from '../image/registry-host.js'
import { normaliseImages } from '../image/inputs.js'
import type { Inputs } from '../inputs.js'
import { checkEvent } from '../run/events.js'
import { classifyToken } from '../token/kind.js'
import type { RunPlan } from './facts.js'

export function planRun(inputs: Inputs, ctx: RunContext): RunPlan {
  const registry = inputs.registry ?? ctx.defaultRegistry
  const place: Place = { serverUrl: ctx.serverUrl, repository: ctx.repository, registry }

  const hostFindings = checkRegistryHost(ctx.serverUrl, registry, place)
  // A token of one GitHub instance is not valid on another's registry: it is not even sent there.
  const foreignRegistry = hostFindings.some((f) => f.severity === 'error')
  const { images, imageBlocked, imageFindings } = normaliseImages(inputs.images, {
    registry,
    repository: ctx.repository,
    owner: ctx.owner,
    place,
  })
  const event = checkEvent(ctx, place)
  const fallbackGiven = inputs.fallbackToken !== ''
  // GitHub Packages never accepts a fine-grained PAT: certain from its prefix, so it is not sent
  // to the registry (as for the fallback); the run's verdict rests on the other credential.
  const fineGrained = classifyToken(inputs.githubToken, '') === 'fine-grained'
  const blocked = imageBlocked || images.length === 0

  return {
    place,
    registry,
    findings: [
      ...hostFindings,
      ...imageFindings,
      ...event.findings,
      ...emptyRunToken(inputs, fallbackGiven, place),
      ...(fineGrained
        ? [
            makeFinding('github-token-fine-grained', place, {
              message:
                'The github-token input is a fine-grained personal access token (github_pat_…): GitHub Packages accepts only the run\'s own GITHUB_TOKEN and personal access tokens (classic), so ghcr.io refuses it whatever it was granted ("The token provided does not match expected scopes"). It was not sent to the registry.',
              ...(ctx.job ? { details: { job: ctx.job } } : {}),
            }),
          ]
        : []),
    ],
    checks: [
      {
        name: 'image names',
        status: imageBlocked ? 'fail' : imageFindings.length > 0 ? 'warn' : 'pass',
        detail: images.map((i) => i.name).join(', ') || 'no usable image',
      },
      {
        name: 'run event',
        status: event.untrusted ? 'warn' : 'pass',
        detail: event.untrusted
          ? `${event.untrusted} (${ctx.eventName})`
          : `${ctx.eventName || 'unknown event'} by ${ctx.actor || 'unknown actor'}`,
      },
    ],
    images,
    imageBlocked: blocked,
    ...(event.untrusted ? { untrusted: event.untrusted } : {}),
    registryOnOtherInstance: foreignRegistry,
    runTokenUsable: !foreignRegistry && inputs.githubToken !== '' && !fineGrained,
    fallbackGiven,
    probeEnabled: inputs.probe && !blocked,
    actor: ctx.actor || 'github-actions[bot]',
    names: { repository: ctx.repository, owner: ctx.owner, actor: ctx.actor },
    imageInputs: inputs.images,
    ...(ctx.job ? { job: ctx.job } : {}),
    fallbackOwner: images[0]?.owner ?? ctx.owner.toLowerCase(),
  }
}

function emptyRunToken(inputs: Inputs, fallbackGiven: boolean, place: Place): Finding[] {
  if (inputs.githubToken) return []
  return [
    makeFinding('input-invalid', place, {
      severity: fallbackGiven ? 'warning' : 'error',
      message:
        "the github-token input is empty, so the run's own token cannot be checked or used" +
        (fallbackGiven ? '; only the fallback token is tried' : ''),
      details: {
        input: 'github-token',
        expected: 'remove it (it defaults to `${{ github.token }}`) or pass `${{ github.token }}`',
      },
    }),
  ]
}
