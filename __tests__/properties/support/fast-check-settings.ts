// One place for the property suite's run settings. Case counts are explicit per property (the
// suite promises at least 10,000 generated cases in all); the seed is random unless FC_SEED is
// set, and fast-check prints the seed and path of any failure so it can be replayed:
//   FC_SEED=1234 npm run unit -- __tests__/properties
//   FC_SEED=1234 FC_PATH="5:1:0" npm run unit -- __tests__/properties/workflow-permissions.test.ts

import type { Parameters } from 'fast-check'

/** Generated cases per property; the suite checks that they add up to at least 10,000. */
export const CASE_COUNTS = {
  workflowGeneratorSanity: 500,
  workflowAnalysis: 3000,
  workflowLint: 1000,
  workflowMutations: 1500,
  workflowModelOnMutations: 1000,
  imageValid: 1500,
  imageNearMiss: 2000,
  imageRandom: 1000,
  imageTrim: 300,
  yamlAliasBombs: 100,
  yamlDeepNesting: 120,
  yamlHugeFlow: 30,
} as const

export const TOTAL_CASES = Object.values(CASE_COUNTS).reduce((a, b) => a + b, 0)

function envInteger(name: string): number | undefined {
  const raw = process.env[name]
  if (raw === undefined || raw.trim() === '') return undefined
  const n = Number(raw)
  if (!Number.isInteger(n)) throw new Error(`${name} must be an integer, got "${raw}"`)
  return n
}

/** Parameters for one property: its explicit case count plus FC_SEED / FC_PATH when given. */
export function runs<T = unknown>(numRuns: number): Parameters<T> {
  const seed = envInteger('FC_SEED')
  const path = process.env.FC_PATH
  return {
    numRuns,
    ...(seed === undefined ? {} : { seed }),
    ...(path ? { path } : {}),
  }
}
