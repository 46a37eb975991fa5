// Entry point of the post step (dist/post/index.js, `runs.post` in preflight/action.yml): a
// bundle of its own, so the main step loads none of it. Everything lives in post/run.ts.
import * as core from './runner/core.js'
import { runPost } from './post/run.js'

await runPost({
  getInput: (name) => core.getInput(name),
  getState: (name) => core.getState(name),
  setSecret: (secret) => core.setSecret(secret),
  info: (line) => core.info(line),
  notice: (message, title) => core.notice(message, { title }),
  warning: (message, title) => core.warning(message, { title }),
  writeSummary: async (html) => {
    // No summary file outside a runner: the log lines and annotations say it all.
    if (!process.env.GITHUB_STEP_SUMMARY) return
    await core.summary.addRaw(html).write()
  },
  env: process.env,
})
// Never fail the job, and never wait for a request still hanging after the deadline.
process.exit(0)
