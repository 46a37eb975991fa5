// The registry edge: the shared challenge, the push probe, and the pure classifier of its answers.

export { ChallengeCache, fetchChallenge } from './challenge.js'
export { classifyProbe, registryAnswer, type ClassifyContext } from './classify.js'
export {
  probeAll,
  type ProbeAllOptions,
  type ProbeAllResult,
  type ProbeCredential,
  type ProbeResult,
  type ProbeTarget,
} from './probe-all.js'
export { probePush, readUploadAnswer, type ProbePushOptions } from './probe.js'
export type { Challenge, CredentialSource, ProbeOutcome, ProbeVerdict } from './types.js'
export { parseWwwAuthenticate, type AuthChallenge } from './www-authenticate.js'
