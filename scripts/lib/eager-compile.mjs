// Marks the module functions of an ncc bundle for eager compilation: each function of the
// bundle's module table (`{1234:(e,t,s)=>{…}, …}`) becomes a parenthesized function expression,
// `1234:(function(e,t,s){…})`, the form V8 compiles when the script is compiled instead of on
// the function's first call.
//
// Why: a function V8 compiles lazily is pre-parsed with the script and parsed again in full when
// it is first called. Every module function of a bundle is called at start, and the one holding
// all the concatenated ES modules is most of the file, so the bundle was parsed about twice over.
// ncc's unminified output wraps each module function in parentheses, and terser (--minify) drops
// them; Node 24's V8 compiles a parenthesized arrow function eagerly, Node 20's only a
// parenthesized `function`. An arrow whose own body uses `this`, `arguments`, `new.target` or
// `super` would change meaning as a `function`; it is only parenthesized (docs/benchmarks.md has
// the measurements). Inner functions stay lazy, as before.
//
// Usage: node scripts/lib/eager-compile.mjs FILE… (rewrites each file in place). Fails when a
// file has no module table, so a change of ncc's output format stops the build.

import { readFileSync, writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { parse } from 'acorn'

/** The module functions of a bundle: their nodes in acorn's tree of `source`. */
export function moduleFunctions(source) {
  const ast = parse(source, { ecmaVersion: 'latest', sourceType: 'module' })
  const found = []
  for (const statement of ast.body) {
    const declaration =
      statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement
    if (declaration?.type !== 'VariableDeclaration') continue
    for (const { init } of declaration.declarations) {
      if (isModuleTable(init)) found.push(...init.properties.map((p) => p.value))
    }
  }
  return found
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

/** Whether an arrow function's body uses what a `function` would bind differently. */
function usesArrowBindings(fn) {
  let found = false
  const visit = (node) => {
    if (found || !node || typeof node.type !== 'string') return
    switch (node.type) {
      case 'ThisExpression':
      case 'Super':
        found = true
        return
      case 'MetaProperty':
        if (node.meta.name === 'new') found = true
        return
      case 'Identifier':
        if (node.name === 'arguments') found = true
        return
      // These bind their own `this` and `arguments`: what is inside cannot see the arrow's.
      case 'FunctionExpression':
      case 'FunctionDeclaration':
        return
      case 'PropertyDefinition':
      case 'StaticBlock':
        if (node.computed) visit(node.key)
        return
    }
    for (const key of Object.keys(node)) {
      const child = node[key]
      if (Array.isArray(child)) child.forEach(visit)
      else if (child && typeof child === 'object') visit(child)
    }
  }
  visit(fn.body)
  for (const p of fn.params) visit(p)
  return found
}

export function wrapModuleFunctions(source) {
  const functions = moduleFunctions(source)
  let out = source
  // From the end, so earlier offsets stay valid.
  for (const fn of functions.sort((a, b) => b.start - a.start)) {
    const wrapped = out[fn.start - 1] === '(' && out[fn.end] === ')'
    const start = wrapped ? fn.start - 1 : fn.start
    const end = wrapped ? fn.end + 1 : fn.end
    let text = out.slice(fn.start, fn.end)
    if (
      fn.type === 'ArrowFunctionExpression' &&
      fn.body.type === 'BlockStatement' &&
      !fn.async &&
      !usesArrowBindings(fn)
    ) {
      const params = fn.params.map((p) => source.slice(p.start, p.end)).join(',')
      text = `function(${params})${source.slice(fn.body.start, fn.body.end)}`
    }
    out = `${out.slice(0, start)}(${text})${out.slice(end)}`
  }
  return { source: out, wrapped: functions.length }
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
