// Hand-written declarations for corpus-replay.mjs (the TypeScript tests import it).
import type { Rig } from '../../rig/index.mjs'

export interface CorpusCase {
  file: string
  url: string
  quote: string
  status?: number
  step: 'login' | 'token' | 'upload' | 'manifest' | 'pull' | 'client'
  client: string
  cause: string
  facts: Record<string, unknown>
}
export interface Run {
  repository: string
  actor: string
  eventName: string
  event: Record<string, unknown>
  files: Record<string, string>
  inputs: Record<string, string>
  github: Record<string, unknown>
  role: 'github-token' | 'fallback-token' | 'none'
  permissions: string
}
export interface ReplayRow {
  file: string
  cause: string
  url: string
  thin?: string
  found?: boolean
  falsePass?: boolean
  how?: string
  verdict?: string
  chosen?: string
  got?: string
}
export interface ReplayReport {
  rows: ReplayRow[]
  total: number
  built: number
  thin: number
  found: number
  falsePasses: number
  /** found / built: the cases it can build. */
  accuracy: number
  /** built / total. */
  builtShare: number
}
export function loadCorpus(dir: string): CorpusCase[]
export function registryAnswerOf(c: Pick<CorpusCase, 'quote' | 'status'>): {
  status: number
  code?: string
  message?: string
}
export function buildRun(c: CorpusCase): { thin: string } | { thin?: undefined; run: Run }
export function expectedIds(c: Pick<CorpusCase, 'cause'>, role: Run['role']): string[]
export function replayCorpus(o: {
  rig: Rig
  cases: CorpusCase[]
  runtime?: 'node20' | 'node24'
}): Promise<ReplayReport>
export function formatReport(r: ReplayReport): string
export function emulatorAnswer(
  c: CorpusCase,
  world: typeof import('../../rig/world.mjs'),
):
  | { comparable: false; why: string }
  | { comparable: true; same: boolean; real: string; rig: string }
