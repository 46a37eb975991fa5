// Entry point of the bundled action (dist/index.js). Everything lives in main.ts.
import { run } from './main.js'

await run()
// Everything is written by now (file commands are synchronous, the summary is awaited). Exit
// rather than wait for a request still hanging in the background: the deadline is the deadline.
process.exit()
