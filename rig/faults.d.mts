// Generated from the JSDoc in the .mjs file by `node rig/gen-types.mjs`; do not edit.
/** @type {Record<string, (ctx: FaultContext) => boolean>} */
export const FAULTS: Record<string, (ctx: FaultContext) => boolean>
/** Per-target fault settings with optional method/path filters and a use count. */
export class FaultTable {
  /** @type {Map<FaultTarget, { name: string, arg: string, method?: string, path?: string | RegExp, times?: number }>} */
  entries: Map<
    FaultTarget,
    {
      name: string
      arg: string
      method?: string
      path?: string | RegExp
      times?: number
    }
  >
  /** @param {FaultTarget} target @param {FaultSpec | null | undefined} spec */
  set(target: FaultTarget, spec: FaultSpec | null | undefined): undefined
  clear(): void
  /**
   * Runs the fault set for this target if it matches the request.
   * @param {Omit<FaultContext, 'arg'>} ctx
   * @returns {boolean} true when the fault answered the request
   */
  apply(ctx: Omit<FaultContext, 'arg'>): boolean
}
export type FaultTarget = 'registry' | 'token' | 'api'
/**
 * e.g. 'status:503', or { fault: 'hang', method: 'POST', path: /blobs\/uploads/, times: 1 }
 */
export type FaultSpec =
  | string
  | {
      fault: string
      method?: string
      path?: string | RegExp
      times?: number
    }
export type FaultContext = {
  req: import('node:http').IncomingMessage
  res: import('node:http').ServerResponse
  target: FaultTarget
  /**
   * text after the first ':' ('' when none)
   */
  arg: string
  /**
   * base URL of the "other host" capture server
   */
  otherHostUrl: string
  overrides: {
    realm?: string
  }
}
