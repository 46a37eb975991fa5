// The workflow-file analysis, pure: parse a workflow, compute a job's effective permissions,
// find jobs that push, and check reusable-workflow permission ceilings.

export * from './model.js'
export { parseWorkflow, MAX_WORKFLOW_CHARS, MAX_ALIAS_COUNT } from './parse.js'
export {
  effectivePermission,
  grants,
  SCOPE_VALUES,
  type EffectivePermission,
  type PermissionLevel,
  type PermissionValue,
} from './permissions.js'
export {
  analyseRunningJob,
  permissionFindings,
  findPreflightSteps,
  isPreflightUses,
  jobBlockYaml,
  type PreflightStep,
  type RunningJobAnalysis,
  type PermissionFindingOptions,
} from './analyse.js'
export {
  findPushes,
  expand,
  type PushAnalysis,
  type PushEvidence,
  type PushEvidenceKind,
  type ImageReference,
} from './pushers.js'
export { checkReusableCeilings, type WorkflowFile } from './reusable.js'
export { lintFiles, sortFindings, type LintInput, type LintOptions } from './lint-files.js'
