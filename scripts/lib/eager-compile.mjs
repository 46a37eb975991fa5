// Marks the module functions of an ncc bundle for eager compilation: wraps each function of the
// bundle's module table (`{1234:(e,t,s)=>{…}, …}`) in parentheses, the hint V8 follows to compile
// a function when the script is compiled instead of on its first call.
//
// Why: ncc's output, before --minify, has these parentheses (`/***/ ((module, …) => {`), and
// terser drops them. A function V8 compiles lazily is pre-parsed with the script and parsed again
// in full when called; every module function of a bundle is called at start, and the one that
// holds all the concatenated ES modules is most of the file, so a minified bundle was parsed about
// twice over: on Node 24, 12 ms of a static run (docs/benchmarks.md). The inner functions stay
// lazy, as before; only the module functions, all run at start, are compiled up front.
//
// Usage: node scripts/lib/eager-compile.mjs FILE… (rewrites each file in place). Fails when a
// file has no module table, so a change of ncc's output format stops the build.

import { readFileSync, writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { parse } from 'acorn'

/** The [start, end) ranges of the module functions in a bundle's source. */
export function moduleFunctionRanges(source) {
  const ast = parse(source, { ecmaVersion: 'latest', sourceType: 'module' })
  const ranges = []
  for (const statement of ast.body) {
    const declaration =
      statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement
    if (declaration?.type !== 'VariableDeclaration') continue
    for (const { init } of declaration.declarations) {
      if (!isModuleTable(init)) continue
      for (const p of init.properties) ranges.push([p.value.start, p.value.end])
    }
  }
  return ranges
}

/** `{ <number>: <function>, … }`: webpack's table of module functions, by module id. */
function isModuleTable(node) {
  return (
    node?.type === 'ObjectExpression' &&
    node.properties.length > 0 &&
    node.properties.every(
      (p) =>
        p.type === 'Property' &&
        p.key.type === 'Literal' &&
        typeof p.key.value === 'number' &&
        (p.value.type === 'ArrowFunctionExpression' || p.value.type === 'FunctionExpression'),
    )
  )
}

export function wrapModuleFunctions(source) {
  const ranges = moduleFunctionRanges(source)
  let out = source
  // From the end, so earlier offsets stay valid.
  for (const [start, end] of ranges.sort((a, b) => b[0] - a[0])) {
    if (out[start - 1] === '(' && out[end] === ')') continue // already wrapped
    out = `${out.slice(0, start)}(${out.slice(start, end)})${out.slice(end)}`
  }
  return { source: out, wrapped: ranges.length }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  let failed = false
  for (const file of process.argv.slice(2)) {
    const { source, wrapped } = wrapModuleFunctions(readFileSync(file, 'utf8'))
    if (wrapped === 0) {
      console.error(
        `eager-compile: ${file} has no module table (did ncc change its output format?)`,
      )
      failed = true
      continue
    }
    writeFileSync(file, source)
  }
  process.exit(failed ? 1 : 0)
}
