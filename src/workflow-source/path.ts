// The running workflow file's path and size limit, shared by the loader (./load.ts) and the
// early git read started by the entry point (./prefetch.ts), which must not load more than this.

/** The contents API serves files up to 1 MB as base64; anything larger is not a workflow file we analyse. */
export const MAX_WORKFLOW_BYTES = 1024 * 1024

/** Repository-relative POSIX path, or a problem when it is absolute or climbs out of the repository. */
export function normaliseWorkflowPath(p: string): string | { problem: string } {
  const posix = p.replace(/\\/g, '/')
  if (posix.startsWith('/') || /^[a-zA-Z]:/.test(posix)) {
    return {
      problem: `The workflow file path "${p}" must be relative to the repository root, e.g. .github/workflows/build.yml.`,
    }
  }
  const parts = posix.split('/').filter((s) => s !== '' && s !== '.')
  if (parts.includes('..') || parts.length === 0) {
    return {
      problem: `The workflow file path "${p}" leaves the repository; give a path inside it, e.g. .github/workflows/build.yml.`,
    }
  }
  return parts.join('/')
}
