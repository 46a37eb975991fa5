// Entry point of the bundled action (dist/index.js). Everything lives in main.ts.
import { run } from './main.js'

await run()
