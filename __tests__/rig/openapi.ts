// Validates response bodies against GitHub's published OpenAPI description
// (@octokit/openapi, api.github.com.json) with ajv, resolving $refs inside the document.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'

const require = createRequire(import.meta.url)
const SPEC_PATH = require.resolve('@octokit/openapi/generated/api.github.com.json')
// ajv-formats is CommonJS; under ESM its default export may sit one level down.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => void

type Json = Record<string, unknown>

/**
 * ajv does not support discriminator mappings; GitHub uses them only to pick a oneOf branch,
 * and two of those branches overlap (public-user ⊂ private-user), so oneOf becomes anyOf.
 */
function relaxDiscriminators(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(relaxDiscriminators)
  if (!node || typeof node !== 'object') return
  const o = node as Json
  if ('discriminator' in o) {
    delete o.discriminator
    if (o.oneOf) {
      o.anyOf = o.oneOf
      delete o.oneOf
    }
  }
  for (const v of Object.values(o)) relaxDiscriminators(v)
}

const pointer = (parts: string[]): string =>
  parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')

export class GithubOpenApi {
  private readonly spec: Json
  private readonly ajv: Ajv
  private readonly cache = new Map<string, ValidateFunction>()

  constructor() {
    this.spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as Json
    relaxDiscriminators(this.spec)
    this.ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false })
    addFormats(this.ajv)
    this.ajv.addSchema(this.spec, 'gh')
  }

  /**
   * The validator for GET `template` answering `status`: the operation's own response schema,
   * else GitHub's basic-error schema (what undocumented error statuses carry).
   */
  validator(template: string, status: number): { validate: ValidateFunction; where: string } {
    const paths = this.spec.paths as Record<string, { get?: { responses: Record<string, Json> } }>
    const op = paths[template]?.get
    if (!op) throw new Error(`OpenAPI has no GET ${template}`)
    let response = op.responses[String(status)] as Json | undefined
    let where = pointer(['paths', template, 'get', 'responses', String(status)])
    if (response && typeof response.$ref === 'string') {
      where = response.$ref.slice(2)
      response = where
        .split('/')
        .reduce<Json>((n, k) => n[k.replace(/~1/g, '/')] as Json, this.spec)
    }
    const content = response?.content as Record<string, Json> | undefined
    where = content?.['application/json']
      ? `${where}/content/${pointer(['application/json'])}/schema`
      : 'components/schemas/basic-error'
    const key = `gh#/${where}`
    let validate = this.cache.get(key)
    if (!validate) {
      validate = this.ajv.getSchema(key)
      if (!validate) throw new Error(`no schema at ${key}`)
      this.cache.set(key, validate)
    }
    return { validate, where }
  }
}
