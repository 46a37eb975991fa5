// The action's `image` input, checked and normalised: one module so the orchestrator only asks
// "what do I probe, and is anything unpushable?".

import type { Finding, Place } from '../findings/types.js'
import { checkImage, defaultImage, type CheckedImage } from './check.js'

export interface ImageInputs {
  /** The images to probe: normalised, on the registry, without duplicates. */
  images: CheckedImage[]
  /** An image that cannot be pushed as written (invalid name, typo'd host, Docker Hub). */
  imageBlocked: boolean
  imageFindings: Finding[]
}

/** The `image` input (or the default image) → what the action probes and exports. */
export function normaliseImages(
  raws: string[],
  o: { registry: string; repository: string; owner: string; place: Place },
): ImageInputs {
  const { registry, place } = o
  if (raws.length === 0) raws = [defaultImage(registry, o.repository)]
  const images: CheckedImage[] = []
  const imageFindings: Finding[] = []
  let imageBlocked = false
  for (const raw of raws) {
    const r = checkImage(raw, { registry, owner: o.owner, place })
    for (const f of r.findings) {
      // The action lower-cases what it probes and exports the normalised names in `images`, so
      // capitals in the input are a warning here (contracts §1: "lower-cased by the action").
      imageFindings.push(f.id === 'image-name-uppercase' ? { ...f, severity: 'warning' } : f)
    }
    // An invalid name, a typo'd host, Docker Hub or another GitHub instance's registry cannot be
    // pushed as written: fail. An image on another registry (a warning) is simply not this
    // registry's business: not probed.
    const blocking = r.findings.some(
      (f) =>
        f.id === 'image-name-invalid' ||
        f.id === 'registry-host-mismatch' ||
        (f.id === 'image-registry-mismatch' && f.severity === 'error'),
    )
    if (!r.image || blocking) {
      imageBlocked = true
      continue
    }
    if (r.image.registry !== registry) continue
    if (!images.some((i) => i.name === r.image!.name)) images.push(r.image)
  }
  return { images, imageBlocked, imageFindings }
}
