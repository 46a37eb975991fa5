// The action's post step (runs.post) in a scenario, as the runner runs it: after the job's
// steps, the post bundle (dist/post/index.js) runs with the main step's saved state as STATE_*
// variables, the variables it exported (GITHUB_ENV), the same inputs re-read, and fresh
// GITHUB_STEP_SUMMARY / GITHUB_OUTPUT files. `post-if` is mirrored from preflight/action.yml
// (a jest test evaluates the real expression). A scenario's `post:` section:
//
//   post:
//     api_fault: hang            # optional rig fault on the REST API while the post step runs
//     expect:
//       ran: true                # default true: post-if let it run
//       summary: [text, …]       # substrings of the post step's job summary
//       absent_summary: [text, …]
//       annotations: [{ level: warning, title: …, contains: … }]
//       no_annotations: [warning]   # levels that must not appear
import { join } from 'node:path'
import { parseFileCommands, ROOT, runAction } from './action-process.mjs'
import { auditLeaks } from './leak-audit.mjs'

export const POST_BUNDLE = join(ROOT, 'dist', 'post', 'index.js')
/** Mirrors `post-if` in preflight/action.yml. */
const POST_RESULTS = ['ready', 'fallback', 'unverified']

export async function runPostStep({ scenario, main, rig, tokens, inputs, env, event, files }) {
  const problems = []
  const want = scenario.post?.expect ?? {}
  const exported = parseFileCommands(main.envFile)
  const ran = POST_RESULTS.includes(exported.GHCR_PREFLIGHT_RESULT)
  if ((want.ran ?? true) !== ran) {
    problems.push(
      `post: expected the post step ${want.ran === false ? 'to be skipped' : 'to run'}, post-if says ${ran ? 'run' : 'skip'} (GHCR_PREFLIGHT_RESULT=${exported.GHCR_PREFLIGHT_RESULT ?? 'unset'})`,
    )
  }
  if (!ran) return problems

  const state = {}
  for (const [name, value] of Object.entries(parseFileCommands(main.state))) {
    state[`STATE_${name}`] = value
  }
  if (scenario.post?.api_fault) rig.setFault('api', scenario.post.api_fault)
  let post
  try {
    post = await runAction({
      inputs,
      env: { ...env, ...exported, ...state },
      event,
      files,
      // runs.using is node24 for main and post alike; the post step always runs on it here, so
      // its scenarios hold under Node 24 whatever SCENARIO_RUNTIME the main step used.
      runtime: 'node24',
      bundle: POST_BUNDLE,
      timeoutMs: 60_000,
    })
  } finally {
    if (scenario.post?.api_fault) rig.setFault('api', null)
  }
  if (post.exitCode !== 0)
    problems.push(`post: exit code ${post.exitCode}, the post step must never fail the job`)
  if (post.timedOut) problems.push('post: the post step did not end')
  if (/\n\s+at .+:\d+:\d+\)?\n/.test(post.stdout + post.stderr))
    problems.push('post: a stack trace was printed')
  for (const text of want.summary ?? []) {
    if (!post.summary.includes(text)) problems.push(`post: summary lacks ${JSON.stringify(text)}`)
  }
  for (const text of want.absent_summary ?? []) {
    if (post.summary.includes(text))
      problems.push(`post: summary must not contain ${JSON.stringify(text)}`)
  }
  const annotations = post.commands.filter((c) =>
    ['error', 'warning', 'notice'].includes(c.command),
  )
  for (const a of want.annotations ?? []) {
    const hit = annotations.find(
      (c) =>
        c.command === a.level &&
        (!a.title || c.props.title === a.title) &&
        (!a.contains || c.message.includes(a.contains)),
    )
    if (!hit) {
      problems.push(
        `post: no ${a.level} annotation${a.title ? ` titled ${JSON.stringify(a.title)}` : ''}${a.contains ? ` containing ${JSON.stringify(a.contains)}` : ''}; got ${annotations.map((c) => `${c.command}: ${c.props.title ?? ''}`).join(', ') || 'none'}`,
      )
    }
  }
  for (const level of want.no_annotations ?? []) {
    if (annotations.some((c) => c.command === level))
      problems.push(`post: a ${level} annotation appeared`)
  }
  // The post step never errors the job: no error annotation, whatever happened.
  if (annotations.some((c) => c.command === 'error'))
    problems.push('post: an error annotation appeared')
  problems.push(...auditLeaks(post, Object.values(tokens)).map((p) => `post: ${p}`))
  if (process.env.SCENARIO_VERBOSE) console.log(post.stdout, post.summary)
  return problems
}
