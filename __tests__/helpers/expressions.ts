// A small evaluator for the GitHub Actions expression language, enough to run the `if:`,
// `with:` and `outputs.*.value` expressions of action.yml and ghcr-push.yml in tests.
// Semantics follow docs.github.com "Evaluate expressions in workflows and actions": loose
// equality that coerces mismatched types to numbers, case-insensitive string comparison,
// && / || returning an operand, case-insensitive property and function names, and an implicit
// `success() &&` in conditions that call no status function.

export type JobStatus = 'success' | 'failure' | 'cancelled'

export interface ExpressionContext {
  /** Named values by context name: inputs, steps, github, env, secrets, jobs, needs, runner… */
  contexts: Record<string, unknown>
  /** Drives success() / failure() / cancelled(); default 'success'. */
  jobStatus?: JobStatus
}

export class ExpressionError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ExpressionError'
  }
}

// ---------------------------------------------------------------------------------------------
// Tokens

type Token =
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'ident'; value: string }
  | { kind: 'punct'; value: string }

const PUNCTUATION = [
  '&&',
  '||',
  '==',
  '!=',
  '<=',
  '>=',
  '<',
  '>',
  '!',
  '(',
  ')',
  '[',
  ']',
  ',',
  '.',
]
const NUMBER = /^(?:0x[0-9a-f]+|0o[0-7]+|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)/i
const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*/

function tokenize(source: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < source.length) {
    const ch = source[i]
    if (/\s/.test(ch)) {
      i++
      continue
    }
    if (ch === "'") {
      let value = ''
      i++
      for (;;) {
        if (i >= source.length) throw new ExpressionError(`Unterminated string in: ${source}`)
        if (source[i] === "'") {
          if (source[i + 1] === "'") {
            value += "'"
            i += 2
            continue
          }
          i++
          break
        }
        value += source[i++]
      }
      tokens.push({ kind: 'string', value })
      continue
    }
    // A leading minus belongs to the number literal: the language has no unary minus operator.
    const previous = tokens[tokens.length - 1]
    const minusAllowed =
      !previous || (previous.kind === 'punct' && previous.value !== ')' && previous.value !== ']')
    const numberSource = ch === '-' && minusAllowed ? source.slice(i + 1) : source.slice(i)
    const numberMatch = /^[\d.]/.test(numberSource) ? NUMBER.exec(numberSource) : null
    if (numberMatch && (ch !== '-' || minusAllowed)) {
      const text = numberMatch[0]
      const magnitude = /^0o/i.test(text) ? parseInt(text.slice(2), 8) : Number(text)
      tokens.push({ kind: 'number', value: ch === '-' ? -magnitude : magnitude })
      i += text.length + (ch === '-' ? 1 : 0)
      continue
    }
    const identMatch = IDENT.exec(source.slice(i))
    if (identMatch) {
      tokens.push({ kind: 'ident', value: identMatch[0] })
      i += identMatch[0].length
      continue
    }
    const punct = PUNCTUATION.find((p) => source.startsWith(p, i))
    if (punct) {
      tokens.push({ kind: 'punct', value: punct })
      i += punct.length
      continue
    }
    throw new ExpressionError(`Unexpected character '${ch}' at position ${i + 1} in: ${source}`)
  }
  return tokens
}

// ---------------------------------------------------------------------------------------------
// Syntax tree

export type Node =
  | { type: 'literal'; value: unknown }
  | { type: 'context'; name: string }
  | { type: 'property'; object: Node; name: string }
  | { type: 'index'; object: Node; index: Node }
  | { type: 'call'; name: string; args: Node[] }
  | { type: 'not'; operand: Node }
  | { type: 'binary'; op: string; left: Node; right: Node }

const KEYWORDS: Record<string, unknown> = {
  true: true,
  false: false,
  null: null,
  NaN: NaN,
  Infinity: Infinity,
}

class Parser {
  private pos = 0
  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  parse(): Node {
    if (this.tokens.length === 0) throw new ExpressionError('Empty expression')
    const node = this.or()
    if (this.pos < this.tokens.length) this.fail(`unexpected '${this.describe(this.peek())}'`)
    return node
  }

  private fail(why: string): never {
    throw new ExpressionError(`${why} in: ${this.source}`)
  }

  private describe(token: Token | undefined): string {
    return token === undefined ? 'end of expression' : String(token.value)
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos]
  }

  private punct(value: string): boolean {
    const token = this.peek()
    if (token?.kind === 'punct' && token.value === value) {
      this.pos++
      return true
    }
    return false
  }

  private expect(value: string): void {
    if (!this.punct(value)) this.fail(`expected '${value}', found '${this.describe(this.peek())}'`)
  }

  private binary(next: () => Node, ops: string[]): Node {
    let left = next()
    for (;;) {
      const token = this.peek()
      if (token?.kind !== 'punct' || !ops.includes(token.value)) return left
      this.pos++
      left = { type: 'binary', op: token.value, left, right: next() }
    }
  }

  private or = (): Node => this.binary(this.and, ['||'])
  private and = (): Node => this.binary(this.equality, ['&&'])
  private equality = (): Node => this.binary(this.comparison, ['==', '!='])
  private comparison = (): Node => this.binary(this.unary, ['<', '<=', '>', '>='])

  private unary = (): Node => {
    if (this.punct('!')) return { type: 'not', operand: this.unary() }
    return this.postfix()
  }

  private postfix(): Node {
    let node = this.primary()
    for (;;) {
      if (this.punct('.')) {
        const token = this.peek()
        if (token?.kind !== 'ident') this.fail(`expected a property name after '.'`)
        this.pos++
        node = { type: 'property', object: node, name: token.value }
      } else if (this.punct('[')) {
        const index = this.or()
        this.expect(']')
        node = { type: 'index', object: node, index }
      } else {
        return node
      }
    }
  }

  private primary(): Node {
    const token = this.peek()
    if (token === undefined) this.fail('unexpected end of expression')
    this.pos++
    if (token.kind === 'number' || token.kind === 'string') {
      return { type: 'literal', value: token.value }
    }
    if (token.kind === 'punct') {
      if (token.value === '(') {
        const inner = this.or()
        this.expect(')')
        return inner
      }
      this.fail(`unexpected '${token.value}'`)
    }
    if (this.punct('(')) {
      const args: Node[] = []
      if (!this.punct(')')) {
        do args.push(this.or())
        while (this.punct(','))
        this.expect(')')
      }
      return { type: 'call', name: token.value, args }
    }
    if (Object.prototype.hasOwnProperty.call(KEYWORDS, token.value)) {
      return { type: 'literal', value: KEYWORDS[token.value] }
    }
    return { type: 'context', name: token.value }
  }
}

export function parseExpression(source: string): Node {
  return new Parser(tokenize(source), source).parse()
}

// ---------------------------------------------------------------------------------------------
// Values

type Kind = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object'

function kindOf(value: unknown): Kind {
  if (value === null || value === undefined) return 'null'
  if (Array.isArray(value)) return 'array'
  switch (typeof value) {
    case 'boolean':
      return 'boolean'
    case 'number':
      return 'number'
    case 'string':
      return 'string'
    default:
      return 'object'
  }
}

export function isTruthy(value: unknown): boolean {
  switch (kindOf(value)) {
    case 'null':
      return false
    case 'boolean':
      return value as boolean
    case 'number':
      return value !== 0 && !Number.isNaN(value)
    case 'string':
      return value !== ''
    default:
      return true
  }
}

export function toNumber(value: unknown): number {
  switch (kindOf(value)) {
    case 'null':
      return 0
    case 'boolean':
      return value ? 1 : 0
    case 'number':
      return value as number
    case 'string': {
      const text = (value as string).trim()
      if (text === '') return 0
      if (/^[+-]?0o[0-7]+$/i.test(text)) {
        const sign = text.startsWith('-') ? -1 : 1
        return sign * parseInt(text.replace(/^[+-]?0o/i, ''), 8)
      }
      return /^[+-]?(0x[0-9a-f]+|(\d+\.?\d*|\.\d+)(e[+-]?\d+)?|Infinity)$/i.test(text)
        ? Number(text.replace(/infinity/i, 'Infinity'))
        : NaN
    }
    default:
      return NaN
  }
}

/** How a value reads inside `${{ }}` interpolation. */
export function toExpressionString(value: unknown): string {
  switch (kindOf(value)) {
    case 'null':
      return ''
    case 'boolean':
      return value ? 'true' : 'false'
    case 'number':
      return Object.is(value, -0) ? '0' : String(value)
    case 'string':
      return value as string
    case 'array':
      return 'Array'
    default:
      return 'Object'
  }
}

function upper(text: string): string {
  return text.toUpperCase()
}

/** GitHub's `==`: mismatched primitive types compare as numbers; strings ignore case. */
export function looseEquals(left: unknown, right: unknown): boolean {
  const a = kindOf(left)
  const b = kindOf(right)
  if (a === b) {
    switch (a) {
      case 'null':
        return true
      case 'string':
        return upper(left as string) === upper(right as string)
      case 'number':
      case 'boolean':
        return left === right
      default:
        return left === right
    }
  }
  if (a === 'array' || a === 'object' || b === 'array' || b === 'object') return false
  return toNumber(left) === toNumber(right)
}

function compare(op: string, left: unknown, right: unknown): boolean {
  let order: number
  if (kindOf(left) === 'string' && kindOf(right) === 'string') {
    const a = upper(left as string)
    const b = upper(right as string)
    order = a < b ? -1 : a > b ? 1 : 0
  } else {
    const a = toNumber(left)
    const b = toNumber(right)
    if (Number.isNaN(a) || Number.isNaN(b)) return false
    order = a < b ? -1 : a > b ? 1 : 0
  }
  switch (op) {
    case '<':
      return order < 0
    case '<=':
      return order <= 0
    case '>':
      return order > 0
    default:
      return order >= 0
  }
}

function lookup(object: unknown, key: string): unknown {
  const kind = kindOf(object)
  if (kind !== 'object') return null
  const record = object as Record<string, unknown>
  if (Object.prototype.hasOwnProperty.call(record, key)) return record[key] ?? null
  const wanted = upper(key)
  const found = Object.keys(record).find((k) => upper(k) === wanted)
  return found === undefined ? null : (record[found] ?? null)
}

// ---------------------------------------------------------------------------------------------
// Functions

function format(args: unknown[]): string {
  const [template, ...values] = args
  const text = toExpressionString(template)
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (ch === '{' && text[i + 1] === '{') {
      out += '{'
      i++
    } else if (ch === '}' && text[i + 1] === '}') {
      out += '}'
      i++
    } else if (ch === '{') {
      const close = text.indexOf('}', i)
      const index = close === -1 ? NaN : Number(text.slice(i + 1, close))
      if (!Number.isInteger(index) || index < 0 || index >= values.length) {
        throw new ExpressionError(`format(): invalid placeholder in '${text}'`)
      }
      out += toExpressionString(values[index])
      i = close
    } else if (ch === '}') {
      throw new ExpressionError(`format(): unmatched '}' in '${text}'`)
    } else {
      out += ch
    }
  }
  return out
}

type Fn = (args: unknown[], status: JobStatus) => unknown

const FUNCTIONS: Record<string, { min: number; max: number; fn: Fn }> = {
  success: { min: 0, max: 0, fn: (_a, status) => status === 'success' },
  failure: { min: 0, max: 0, fn: (_a, status) => status === 'failure' },
  cancelled: { min: 0, max: 0, fn: (_a, status) => status === 'cancelled' },
  always: { min: 0, max: 0, fn: () => true },
  format: { min: 1, max: Infinity, fn: (args) => format(args) },
  contains: {
    min: 2,
    max: 2,
    fn: ([search, item]) =>
      Array.isArray(search)
        ? search.some((element) => looseEquals(element, item))
        : upper(toExpressionString(search)).includes(upper(toExpressionString(item))),
  },
  startswith: {
    min: 2,
    max: 2,
    fn: ([text, prefix]) =>
      upper(toExpressionString(text)).startsWith(upper(toExpressionString(prefix))),
  },
  endswith: {
    min: 2,
    max: 2,
    fn: ([text, suffix]) =>
      upper(toExpressionString(text)).endsWith(upper(toExpressionString(suffix))),
  },
  join: {
    min: 1,
    max: 2,
    fn: ([value, separator]) =>
      Array.isArray(value)
        ? value
            .map(toExpressionString)
            .join(separator === undefined ? ',' : toExpressionString(separator))
        : toExpressionString(value),
  },
  tojson: { min: 1, max: 1, fn: ([value]) => JSON.stringify(value ?? null, null, 2) },
  fromjson: {
    min: 1,
    max: 1,
    fn: ([value]) => {
      try {
        return JSON.parse(toExpressionString(value)) as unknown
      } catch {
        throw new ExpressionError(`fromJSON(): not JSON: ${toExpressionString(value)}`)
      }
    },
  },
}

const STATUS_FUNCTIONS = new Set(['success', 'failure', 'cancelled', 'always'])

/** True when the tree calls success(), failure(), cancelled() or always(). */
export function callsStatusFunction(node: Node): boolean {
  switch (node.type) {
    case 'call':
      return STATUS_FUNCTIONS.has(node.name.toLowerCase()) || node.args.some(callsStatusFunction)
    case 'property':
      return callsStatusFunction(node.object)
    case 'index':
      return callsStatusFunction(node.object) || callsStatusFunction(node.index)
    case 'not':
      return callsStatusFunction(node.operand)
    case 'binary':
      return callsStatusFunction(node.left) || callsStatusFunction(node.right)
    default:
      return false
  }
}

// ---------------------------------------------------------------------------------------------
// Evaluation

export function evaluateNode(node: Node, ctx: ExpressionContext): unknown {
  switch (node.type) {
    case 'literal':
      return node.value
    case 'context': {
      const name = Object.keys(ctx.contexts).find((k) => upper(k) === upper(node.name))
      if (name === undefined) throw new ExpressionError(`Unrecognized named-value: '${node.name}'`)
      return ctx.contexts[name] ?? null
    }
    case 'property':
      return lookup(evaluateNode(node.object, ctx), node.name)
    case 'index': {
      const object = evaluateNode(node.object, ctx)
      const index = evaluateNode(node.index, ctx)
      if (Array.isArray(object)) {
        const i = toNumber(index)
        return Number.isInteger(i) && i >= 0 && i < object.length ? (object[i] ?? null) : null
      }
      return lookup(object, toExpressionString(index))
    }
    case 'call': {
      const spec = FUNCTIONS[node.name.toLowerCase()]
      if (spec === undefined) throw new ExpressionError(`Unrecognized function: '${node.name}'`)
      if (node.args.length < spec.min || node.args.length > spec.max) {
        throw new ExpressionError(`Wrong number of arguments to ${node.name}()`)
      }
      const args = node.args.map((arg) => evaluateNode(arg, ctx))
      return spec.fn(args, ctx.jobStatus ?? 'success')
    }
    case 'not':
      return !isTruthy(evaluateNode(node.operand, ctx))
    case 'binary': {
      if (node.op === '&&') {
        const left = evaluateNode(node.left, ctx)
        return isTruthy(left) ? evaluateNode(node.right, ctx) : left
      }
      if (node.op === '||') {
        const left = evaluateNode(node.left, ctx)
        return isTruthy(left) ? left : evaluateNode(node.right, ctx)
      }
      const left = evaluateNode(node.left, ctx)
      const right = evaluateNode(node.right, ctx)
      if (node.op === '==') return looseEquals(left, right)
      if (node.op === '!=') return !looseEquals(left, right)
      return compare(node.op, left, right)
    }
  }
}

export function evaluateExpression(source: string, ctx: ExpressionContext): unknown {
  return evaluateNode(parseExpression(source), ctx)
}

// ---------------------------------------------------------------------------------------------
// Templates: text with ${{ }} blocks

interface Segment {
  text?: string
  expression?: string
}

/** Splits a template into literal text and expression sources; `}}` inside a string literal does not close. */
export function splitTemplate(template: string): Segment[] {
  const segments: Segment[] = []
  let i = 0
  while (i < template.length) {
    const open = template.indexOf('${{', i)
    if (open === -1) {
      segments.push({ text: template.slice(i) })
      break
    }
    if (open > i) segments.push({ text: template.slice(i, open) })
    let j = open + 3
    let inString = false
    for (;;) {
      if (j >= template.length) throw new ExpressionError(`Unclosed '\${{' in: ${template}`)
      const ch = template[j]
      if (inString) {
        if (ch === "'" && template[j + 1] === "'")
          j++ // '' is an escaped quote
        else if (ch === "'") inString = false
      } else if (ch === "'") {
        inString = true
      } else if (ch === '}' && template[j + 1] === '}') {
        break
      }
      j++
    }
    segments.push({ expression: template.slice(open + 3, j).trim() })
    i = j + 2
  }
  return segments
}

/**
 * Evaluates a YAML value that may hold `${{ }}`. A value that is exactly one expression keeps
 * its type (as the runner does); anything else becomes a string.
 */
export function evaluateTemplate(template: string, ctx: ExpressionContext): unknown {
  const segments = splitTemplate(template)
  if (segments.length === 1 && segments[0].expression !== undefined) {
    return evaluateExpression(segments[0].expression, ctx)
  }
  return segments
    .map((s) =>
      s.expression === undefined
        ? s.text
        : toExpressionString(evaluateExpression(s.expression, ctx)),
    )
    .join('')
}

export function interpolate(template: string, ctx: ExpressionContext): string {
  return toExpressionString(evaluateTemplate(template, ctx))
}

/**
 * Evaluates a step or job `if:`. The `${{ }}` wrapper is optional; without a status function
 * the condition is `success() && (…)`. An empty condition means success().
 */
export function evaluateCondition(condition: string | undefined, ctx: ExpressionContext): boolean {
  const status = ctx.jobStatus ?? 'success'
  const trimmed = (condition ?? '').trim()
  if (trimmed === '') return status === 'success'
  const segments = splitTemplate(trimmed)
  let node: Node
  if (segments.length === 1 && segments[0].expression !== undefined) {
    node = parseExpression(segments[0].expression)
  } else if (segments.some((s) => s.expression !== undefined)) {
    // Text outside ${{ }} makes the whole condition a string, truthy when non-empty.
    return status === 'success' && isTruthy(interpolate(trimmed, ctx))
  } else {
    node = parseExpression(trimmed)
  }
  const value = isTruthy(evaluateNode(node, ctx))
  return callsStatusFunction(node) ? value : status === 'success' && value
}
