// Validates the real-failure corpus: every case parses, carries the required
// fields with allowed values, and names a kebab-case cause id.
// Usage: node corpus/failures/check.mjs   (prints a count per cause; exit 1 on any problem)
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

const dir = dirname(fileURLToPath(import.meta.url))
const STEPS = ['login', 'token', 'upload', 'manifest', 'pull', 'client']
const CLIENTS = [
  'docker',
  'buildx',
  'build-push-action',
  'login-action',
  'podman',
  'buildah',
  'skopeo',
  'crane',
  'helm',
  'oras',
  'goreleaser',
  'ko',
  'jib',
  'other',
]
const FACTS = {
  repository: /^[\w.-]+\/[\w.-]+$/,
  image: /^\S+$/,
  namespace: ['user', 'org'],
  package: ['exists', 'new'],
  credential: ['github-token', 'classic', 'fine-grained', 'app', 'oauth', 'none'],
  credential_state: [
    'ok',
    'expired',
    'revoked',
    'no-write-scope',
    'not-sso-authorized',
    'wrong-secret',
    'empty',
  ],
  permissions: ['write', 'read', 'none', 'undeclared'],
  event: /^[a-z_]+$/,
  fork: 'boolean',
  actor: /^\S+$/,
  linked_repository: /^([\w.-]+\/[\w.-]+|none)$/,
  actions_access: ['write', 'read', 'none'],
  org_policy: 'string',
}
const TOP = [
  'url',
  'also',
  'quote',
  'printed',
  'status',
  'step',
  'client',
  'cause',
  'established',
  'facts',
]
const THREAD = /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+\/(issues|pull|discussions)\/\d+$/

const problems = []
const causes = new Map()
const clients = new Map()
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.yml'))
  .sort()
const seen = new Set()

for (const file of files) {
  const bad = (msg) => problems.push(`${file}: ${msg}`)
  if (!/^\d{3}-[a-z0-9]+(-[a-z0-9]+)*\.yml$/.test(file)) bad('name is not NNN-short-slug.yml')
  const number = file.slice(0, 3)
  if (seen.has(number)) bad(`number ${number} used twice`)
  seen.add(number)
  let c
  try {
    c = parse(readFileSync(join(dir, file), 'utf8'))
  } catch (err) {
    bad(`does not parse: ${err.message}`)
    continue
  }
  if (!c || typeof c !== 'object') {
    bad('is not a mapping')
    continue
  }
  for (const key of Object.keys(c)) if (!TOP.includes(key)) bad(`unknown field ${key}`)
  for (const key of ['url', 'quote', 'step', 'client', 'cause', 'established', 'facts']) {
    if (c[key] === undefined || c[key] === '') bad(`missing ${key}`)
  }
  if (c.url && !THREAD.test(c.url)) bad(`url is not a GitHub thread: ${c.url}`)
  if (c.also !== undefined) {
    if (!Array.isArray(c.also)) bad('also is not a list')
    else for (const u of c.also) if (!THREAD.test(u)) bad(`also entry is not a GitHub thread: ${u}`)
  }
  for (const key of ['quote', 'printed', 'established']) {
    if (c[key] !== undefined && (typeof c[key] !== 'string' || c[key].includes('\n')))
      bad(`${key} must be one line of text`)
  }
  if (c.status !== undefined && !(Number.isInteger(c.status) && c.status >= 100 && c.status < 600))
    bad('status is not an HTTP status')
  if (c.step && !STEPS.includes(c.step)) bad(`step ${c.step} not one of ${STEPS.join('|')}`)
  if (c.client && !CLIENTS.includes(c.client)) bad(`client ${c.client} not allowed`)
  if (c.cause && !/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(c.cause))
    bad(`cause ${c.cause} is not kebab-case`)
  if (c.facts && typeof c.facts === 'object') {
    for (const [k, v] of Object.entries(c.facts)) {
      const rule = FACTS[k]
      if (rule === undefined) bad(`unknown fact ${k}`)
      else if (
        Array.isArray(rule)
          ? !rule.includes(v)
          : rule === 'boolean'
            ? typeof v !== 'boolean'
            : rule === 'string'
              ? typeof v !== 'string'
              : !rule.test(String(v))
      ) {
        bad(`fact ${k} has a value outside the schema: ${v}`)
      }
    }
  } else if (c.facts !== undefined) bad('facts is not a mapping')
  causes.set(c.cause, (causes.get(c.cause) ?? 0) + 1)
  clients.set(c.client, (clients.get(c.client) ?? 0) + 1)
}

const table = (m) => [...m].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0])))
console.log(`${files.length} cases`)
for (const [k, n] of table(causes)) console.log(`  cause  ${String(n).padStart(3)}  ${k}`)
for (const [k, n] of table(clients)) console.log(`  client ${String(n).padStart(3)}  ${k}`)
if (problems.length) {
  console.error(problems.join('\n'))
  process.exit(1)
}
