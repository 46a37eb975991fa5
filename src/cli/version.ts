// The CLI's version, from package.json at build time (the bundler inlines it: no file or network read).

import pkg from '../../package.json' with { type: 'json' }

export const VERSION: string = (pkg as { version?: string }).version ?? '0.0.0'
