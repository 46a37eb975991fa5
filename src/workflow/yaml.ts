// yaml 2, from its ES module build, for every bundle. The package's `node` export is CommonJS:
// bundled, each of its ~70 files is a separate wrapped module, evaluated one by one at start; the
// ES build (the same source, built for other platforms) is concatenated by the bundler into one
// scope with the code that uses it. The builds differ only where a Node API is absent in a
// browser: warnings go to console.warn instead of process.emitWarning (every parse here sets the
// log level or reads warnings from the document), and !!binary (YAML 1.1 only) uses atob.
// The package's index is not importable by path: its exports map names the CommonJS build for
// Node, so the ES build is imported from its file, typed as the package.

import type * as Yaml from 'yaml'
// @ts-expect-error -- the ES build ships no declarations of its own; each export is typed below.
import * as esm from '../../node_modules/yaml/browser/dist/index.js'

export const isAlias: typeof Yaml.isAlias = esm.isAlias
export const isMap: typeof Yaml.isMap = esm.isMap
export const isScalar: typeof Yaml.isScalar = esm.isScalar
export const isSeq: typeof Yaml.isSeq = esm.isSeq
export const parse: typeof Yaml.parse = esm.parse
export const parseDocument: typeof Yaml.parseDocument = esm.parseDocument
export const visit: typeof Yaml.visit = esm.visit
export const LineCounter: typeof Yaml.LineCounter = esm.LineCounter
export type LineCounter = Yaml.LineCounter
export type { Document, Node, Pair, Scalar, YAMLMap } from 'yaml'
