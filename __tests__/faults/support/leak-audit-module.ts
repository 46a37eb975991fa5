// scripts/lib/leak-audit.mjs is plain JavaScript without a declaration file (the scenario runner
// runs it with plain node); this loads it with the types the tests rely on.

import type { ActionRun } from '../../../scripts/lib/action-process.mjs'

export interface LeakAuditModule {
  /** Problems found (one line each, never the secret itself); [] when nothing leaked. */
  auditLeaks(
    run: Pick<ActionRun, 'stdout' | 'stderr' | 'summary' | 'state' | 'envFile' | 'outputs'>,
    tokens: string[],
  ): string[]
}

export async function loadLeakAudit(): Promise<LeakAuditModule> {
  // A computed specifier: TypeScript does not look for declarations, the types come from above.
  const url = new URL('../../../scripts/lib/leak-audit.mjs', import.meta.url).href
  return (await import(url)) as LeakAuditModule
}
