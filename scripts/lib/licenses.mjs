#!/usr/bin/env node
// Writes the third-party licence file of a bundle from ncc's webpack stats: every package that
// has a module in any chunk of the bundle, with its licence id and text, in ncc's own format.
//
// Why not `ncc --license`: its licence plugin writes one file per chunk under the same name, so
// once the bundle has lazy chunks the last chunk's list overwrites the main one (the entry's
// @actions/core and yaml went missing). Fails, naming the package, when one has no licence.
//
// Usage: node scripts/lib/licenses.mjs STATS.json OUT.txt

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

const [statsPath, outPath] = process.argv.slice(2)
if (!statsPath || !outPath) {
  console.error('usage: node scripts/lib/licenses.mjs STATS.json OUT.txt')
  process.exit(2)
}
const root = resolve(process.cwd())

/** Package folders (relative to the project) of every bundled module, nested modules included. */
function bundledPackages(stats) {
  const dirs = new Set()
  const visit = (m) => {
    const name = String(m.name ?? '')
    // "./node_modules/@scope/pkg/lib/x.js" or nested "./node_modules/a/node_modules/b/x.js"
    const at = name.lastIndexOf('node_modules/')
    if (at >= 0) {
      const rest = name.slice(at + 'node_modules/'.length).split('/')
      const pkg = rest[0].startsWith('@') ? rest.slice(0, 2).join('/') : rest[0]
      dirs.add(name.slice(0, at) + 'node_modules/' + pkg)
    }
    for (const inner of m.modules ?? []) visit(inner)
  }
  for (const m of stats.modules ?? []) visit(m)
  return [...dirs]
}

function licenceText(dir) {
  const file = readdirSync(dir).find((f) => /^licen[cs]e(\.(md|txt))?$/i.test(f))
  return file ? readFileSync(join(dir, file), 'utf8').trim() : undefined
}

const stats = JSON.parse(readFileSync(statsPath, 'utf8'))
const problems = []
const entries = []
for (const rel of bundledPackages(stats)) {
  const dir = resolve(root, rel)
  const manifest = join(dir, 'package.json')
  if (!existsSync(manifest)) {
    problems.push(`${rel}: no package.json`)
    continue
  }
  const pkg = JSON.parse(readFileSync(manifest, 'utf8'))
  // Build tooling (ncc's own runtime helpers) is not shipped code of a dependency.
  if (pkg.name === '@vercel/ncc') continue
  const text = licenceText(dir)
  const id = typeof pkg.license === 'string' ? pkg.license : pkg.license?.type
  if (!id || !text) {
    problems.push(`${pkg.name}: ${!id ? 'no "license" in package.json' : 'no LICENSE file'}`)
    continue
  }
  entries.push({ name: pkg.name, id, text })
}
if (problems.length > 0) {
  console.error(`licences: a bundled package cannot be credited:\n  ${problems.join('\n  ')}`)
  process.exit(1)
}
// Two copies of one package (different versions) share a name and usually a text: list it once.
const seen = new Set()
const unique = entries
  .sort((a, b) => a.name.localeCompare(b.name))
  .filter((e) => !seen.has(`${e.name}\n${e.text}`) && seen.add(`${e.name}\n${e.text}`))
writeFileSync(outPath, unique.map((e) => `${e.name}\n${e.id}\n${e.text}`).join('\n\n') + '\n')
