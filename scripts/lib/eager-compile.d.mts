export function wrapModuleFunctions(source: string): { source: string; wrapped: number }
