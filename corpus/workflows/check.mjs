// Checks the hand-labelled workflow corpus: every workflow file parses (unless it is labelled as
// one GitHub rejects), cites a source, labels every job, and every expected finding's line holds
// the key that finding belongs on (contracts §5). `--stats` prints the counts for README.md.
//
//   node corpus/workflows/check.mjs [--stats]
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseDocument, LineCounter, isMap, isScalar, isPair, isAlias } from 'yaml'

const root = dirname(fileURLToPath(import.meta.url))
const JOB_LABELS = new Set(['push', 'no-push', 'likely-push'])
const FINDING_IDS = new Set([
  'packages-permission-missing',
  'packages-permission-undeclared',
  'reusable-workflow-permission-ceiling',
  'image-name-uppercase',
  'image-registry-mismatch',
  'image-name-invalid',
  'workflow-unreadable',
])
const HEADER = /^#\s*(source:|pattern:|expect\s)\s*(.*)$/
const EXPECT = /^(\(file\)|[A-Za-z_][A-Za-z0-9_-]*):\s*(\S+)$/

/** Every workflow file of the corpus: NNN-slug.yml, or NNN-slug/.github/workflows/*.yml. */
function workflowFiles() {
  const files = []
  for (const entry of readdirSync(root).sort()) {
    const path = join(root, entry)
    if (/^\d{3}-[a-z0-9-]+\.ya?ml$/.test(entry)) files.push(path)
    else if (/^\d{3}-[a-z0-9-]+$/.test(entry) && statSync(path).isDirectory()) {
      const dir = join(path, '.github', 'workflows')
      const inside = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))
      if (inside.length === 0) throw new Error(`${entry}: no workflow file under .github/workflows`)
      for (const f of inside.sort()) files.push(join(dir, f))
    } else if (!['README.md', 'check.mjs'].includes(entry)) {
      throw new Error(`unexpected entry ${entry}: cases are NNN-slug.yml or NNN-slug/`)
    }
  }
  return files
}

/** The header: the comment lines before the first line of YAML content. */
function readHeader(text) {
  const header = { sources: [], pattern: '', expects: [] }
  for (const line of text.split(/\r?\n/)) {
    if (!line.startsWith('#')) break
    const m = HEADER.exec(line)
    if (!m) continue
    const kind = m[1].replace(/[:\s]+$/, '')
    if (kind === 'source') header.sources.push(m[2].trim())
    else if (kind === 'pattern') header.pattern = m[2].trim()
    else {
      const e = EXPECT.exec(m[2].trim())
      if (!e) throw new Error(`malformed expect line: ${line}`)
      header.expects.push({ job: e[1], value: e[2] })
    }
  }
  return header
}

const keyText = (node) => (isScalar(node) ? String(node.value) : undefined)

function pairs(map) {
  return isMap(map) ? map.items.filter(isPair) : []
}

function lineOf(node, lc) {
  return lc.linePos(node.range[0]).line
}

/** Per job: its key line, its `uses` line, and the lines of the permissions block that applies to it. */
function jobFacts(doc, lc) {
  const jobs = new Map()
  const top = doc.contents
  const jobsPair = pairs(top).find((p) => keyText(p.key) === 'jobs')
  const blockLines = (pair) => {
    const lines = new Set([lineOf(pair.key, lc)])
    let value = pair.value
    if (isAlias(value)) value = value.resolve(doc)
    for (const p of pairs(value)) if (keyText(p.key) === 'packages') lines.add(lineOf(p.key, lc))
    return lines
  }
  const workflowBlock = pairs(top).find((p) => keyText(p.key) === 'permissions')
  const workflowLines = workflowBlock ? blockLines(workflowBlock) : new Set()
  for (const jp of pairs(jobsPair?.value)) {
    const facts = { keyLine: lineOf(jp.key, lc), uses: undefined, effective: workflowLines }
    for (const p of pairs(jp.value)) {
      if (keyText(p.key) === 'permissions') facts.effective = blockLines(p)
      if (keyText(p.key) === 'uses') facts.uses = lineOf(p.key, lc)
    }
    jobs.set(keyText(jp.key), facts)
  }
  return { jobs, hasJobs: Boolean(jobsPair) }
}

const errors = []
const stats = {
  cases: new Set(),
  files: 0,
  jobs: { push: 0, 'no-push': 0, 'likely-push': 0 },
  findings: Object.fromEntries([...FINDING_IDS].map((id) => [id, 0])),
}

for (const file of workflowFiles()) {
  const rel = relative(root, file)
  const fail = (msg) => errors.push(`${rel}: ${msg}`)
  stats.files++
  stats.cases.add(rel.split('/')[0].replace(/\.ya?ml$/, ''))
  const text = readFileSync(file, 'utf8')
  const src = text.split(/\r?\n/)
  let header
  try {
    header = readHeader(text)
  } catch (e) {
    fail(e.message)
    continue
  }
  if (header.sources.length === 0) fail('no "# source:" line')
  for (const s of header.sources)
    if (!/^https:\/\/github\.com\/[^/]+\/[^/]+\/(blob|tree|pull|issues|commit)\/\S+/.test(s))
      fail(`source is not a GitHub URL with a path: ${s}`)
  if (!header.pattern) fail('no "# pattern:" line')
  if (header.expects.length === 0) fail('no "# expect" line')

  const unreadable = header.expects.some((e) => e.value.startsWith('workflow-unreadable@'))
  const lc = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false })
  if (doc.errors.length > 0 && !unreadable) {
    fail(`does not parse: ${doc.errors[0].message.split('\n')[0]}`)
    continue
  }
  const { jobs, hasJobs } = doc.errors.length ? { jobs: new Map() } : jobFacts(doc, lc)
  if (!hasJobs && !unreadable) fail('no jobs mapping')

  const labelled = new Map()
  for (const { job, value } of header.expects) {
    if (JOB_LABELS.has(value)) {
      if (labelled.has(job)) fail(`job ${job} labelled twice`)
      labelled.set(job, value)
      stats.jobs[value]++
      if (!unreadable && !jobs.has(job)) fail(`labelled job ${job} is not in the file`)
      continue
    }
    const [id, at] = value.split('@')
    const line = Number(at)
    if (!FINDING_IDS.has(id)) {
      fail(`unknown finding id ${id}`)
      continue
    }
    if (!Number.isInteger(line) || line < 1 || line > src.length) {
      fail(`${value}: no such line`)
      continue
    }
    stats.findings[id]++
    const here = src[line - 1]
    const facts = jobs.get(job)
    if (id !== 'workflow-unreadable' && job !== '(file)' && !facts && !unreadable)
      fail(`${value}: job ${job} is not in the file`)
    switch (id) {
      case 'packages-permission-missing':
        if (facts && !facts.effective.has(line))
          fail(`${value}: line ${line} is not a key of the permissions block job ${job} runs with`)
        break
      case 'packages-permission-undeclared':
        if (facts && facts.keyLine !== line)
          fail(`${value}: the job ${job} starts on line ${facts.keyLine}`)
        break
      case 'reusable-workflow-permission-ceiling':
        if (facts && facts.uses !== line)
          fail(`${value}: the uses key of job ${job} is on line ${facts.uses}`)
        break
      case 'image-name-uppercase':
        if (!/[A-Z]/.test(here.replace(/^\s*-?\s*[\w-]+:\s/, '')))
          fail(`${value}: no capital letter in the value on line ${line}`)
        break
      case 'image-registry-mismatch':
      case 'image-name-invalid':
        if (!/[a-z0-9.-]+\/[^\s]/i.test(here)) fail(`${value}: no image reference on line ${line}`)
        break
      case 'workflow-unreadable':
        if (here.trim() === '' || here.trim().startsWith('#'))
          fail(`${value}: line ${line} is blank or a comment`)
        break
    }
  }
  if (!unreadable)
    for (const job of jobs.keys())
      if (!labelled.has(job)) fail(`job ${job} has no push/no-push/likely-push label`)
}

if (errors.length) {
  for (const e of errors) console.error(e)
  console.error(`${errors.length} problem(s)`)
  process.exit(1)
}
if (process.argv.includes('--stats')) {
  console.log(JSON.stringify({ ...stats, cases: stats.cases.size }, null, 2))
} else {
  console.log(`${stats.cases.size} cases, ${stats.files} workflow files: all labels check out`)
}
