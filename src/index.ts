// Entry point of the bundled action (dist/index.js). It starts git on the running workflow file
// (./workflow-source/prefetch.ts) before the action's modules are evaluated, so that git runs
// while Node evaluates them and parses the repository's workflows, instead of after. main.ts is
// imported in webpack's eager mode: it stays in dist/index.js (a chunk file of its own would split
// yaml out of the concatenated bundle), and is evaluated only by the import() below.
import { prefetchRunningWorkflow } from './workflow-source/prefetch.js'

prefetchRunningWorkflow(process.env)
const { run } = await import(/* webpackMode: "eager" */ './main.js')
await run()
// Everything is written by now (file commands are synchronous, the summary is awaited). Exit
// rather than wait for a request still hanging in the background: the deadline is the deadline.
process.exit()
