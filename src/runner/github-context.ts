// The run's context as @actions/github reads it: the event payload and the standard GITHUB_*
// variables, through its own Context class. Not through @actions/github's index: importing that
// builds octokit, loads @actions/http-client and undici, and parses the event payload at import
// time, where a malformed payload would throw before the action could say what is wrong.
//
// @actions/github exports only its index (and lib/utils), so the class is imported by path;
// scripts/build.sh fails when an update moves it.

import { Context } from '../../node_modules/@actions/github/lib/context.js'

export type { Context }

/**
 * A Context read from `env`. Context reads process.env in its constructor only, so `env` stands
 * in for it for that moment. It throws what reading the payload throws (a file that is not JSON).
 */
export function githubContext(env: NodeJS.ProcessEnv): Context {
  const real = process.env
  process.env = env
  try {
    return new Context()
  } finally {
    process.env = real
  }
}
