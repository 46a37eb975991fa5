// The images a goreleaser release pushes, read from its config file in the repository
// (`.goreleaser.yml` and friends, or the `--config` path): `dockers[].image_templates`,
// `docker_manifests[].name_template`, `dockers_v2[].images`, `kos[].repository(ies)`. Templates
// are kept as written (`ghcr.io/acme/{{ .ProjectName }}`); only their host matters here.

import { parse } from './yaml.js'
import { MAX_WORKFLOW_CHARS } from './parse.js'
import type { PushOptions } from './pushers.js'

const CONFIG_NAMES = ['.goreleaser.yml', '.goreleaser.yaml', 'goreleaser.yml', 'goreleaser.yaml']

export function goreleaserImages(options: PushOptions, configArg?: string): string[] {
  if (!options.files) return []
  const root = options.root ?? ''
  const names = configArg ? [configArg.replace(/^\.\//, '')] : CONFIG_NAMES
  for (const name of names) {
    const text = options.files.read(`${root}${name}`)
    if (text === undefined) continue
    return imagesIn(text)
  }
  return []
}

function imagesIn(text: string): string[] {
  if (text.length > MAX_WORKFLOW_CHARS) return []
  let doc: unknown
  try {
    doc = parse(text, { maxAliasCount: 100, logLevel: 'error' })
  } catch {
    return []
  }
  if (!isMap(doc)) return []
  const out: string[] = []
  const strings = (v: unknown) => {
    if (typeof v === 'string') out.push(v)
    else if (Array.isArray(v)) for (const x of v) if (typeof x === 'string') out.push(x)
  }
  for (const d of list(doc.dockers)) strings(d.image_templates)
  for (const d of list(doc.docker_manifests)) strings(d.name_template)
  for (const d of list(doc.dockers_v2)) strings(d.images)
  for (const k of list(doc.kos)) {
    strings(k.repository)
    strings(k.repositories)
  }
  return out
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function list(v: unknown): Array<Record<string, unknown>> {
  return Array.isArray(v) ? v.filter(isMap) : []
}
