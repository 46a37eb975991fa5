// Entry point of the bundled action (dist/index.js). It starts git on the running workflow file
// (./workflow-source/prefetch.ts) and then loads the action (main.ts, a chunk file of its own),
// so that git runs while Node compiles the action instead of after.
import { prefetchRunningWorkflow } from './workflow-source/prefetch.js'

prefetchRunningWorkflow(process.env)
const { run } = await import(/* webpackMode: "eager" */ './main.js')
await run()
// Everything is written by now (file commands are synchronous, the summary is awaited). Exit
// rather than wait for a request still hanging in the background: the deadline is the deadline.
process.exit()
