// Writes the TypeScript declarations (*.d.mts) for the rig's JSDoc-typed modules, so the
// TypeScript tests type-check their calls into the rig. Run after changing a JSDoc type:
//   node rig/gen-types.mjs           (write)
//   node rig/gen-types.mjs --check   (exit 1 when a declaration is stale; a test runs this)
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import prettier from 'prettier'
import ts from 'typescript'

const RIG = dirname(fileURLToPath(import.meta.url))
const HEADER =
  '// Generated from the JSDoc in the .mjs file by `node rig/gen-types.mjs`; do not edit.\n'

/** @returns {Promise<Map<string, string>>} declaration file path → text */
export async function generateDeclarations() {
  const sources = readdirSync(RIG)
    .filter((f) => f.endsWith('.mjs') && f !== 'gen-types.mjs')
    .map((f) => join(RIG, f))
  /** @type {Map<string, string>} */
  const out = new Map()
  const options = {
    allowJs: true,
    declaration: true,
    emitDeclarationOnly: true,
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ['node'],
    skipLibCheck: true,
    outDir: RIG,
  }
  // Hide the declarations already on disk: imports must resolve to the .mjs sources.
  const host = ts.createCompilerHost(options)
  const hidden = (/** @type {string} */ f) => dirname(f) === RIG && f.endsWith('.d.mts')
  const fileExists = host.fileExists.bind(host)
  host.fileExists = (f) => !hidden(f) && fileExists(f)
  const program = ts.createProgram(sources, options, host)
  const result = program.emit(undefined, (file, text) => out.set(file, text))
  if (result.emitSkipped) throw new Error('rig declarations: emit failed')
  const config = (await prettier.resolveConfig(join(RIG, 'index.mjs'))) ?? {}
  for (const [file, text] of out) {
    out.set(file, HEADER + (await prettier.format(text, { ...config, parser: 'typescript' })))
  }
  return out
}

if (process.argv[1] && basename(process.argv[1]) === 'gen-types.mjs') {
  const check = process.argv.includes('--check')
  const stale = []
  for (const [file, text] of await generateDeclarations()) {
    if (existsSync(file) && readFileSync(file, 'utf8') === text) continue
    stale.push(basename(file))
    if (!check) writeFileSync(file, text)
  }
  if (check && stale.length) {
    console.error(`stale rig declarations: ${stale.join(', ')}; run node rig/gen-types.mjs`)
    process.exit(1)
  }
  if (!check)
    console.log(stale.length ? `wrote ${stale.join(', ')}` : 'rig declarations up to date')
}
