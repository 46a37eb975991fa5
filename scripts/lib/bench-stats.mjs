// Small statistics for the benchmark: medians and p90 of timing samples, and number formatting.

/** Linear-interpolated quantile of numbers (q in 0..1). */
export function quantile(values, q) {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo)
}

/** @param {number[]} values */
export function summarise(values) {
  return {
    n: values.length,
    median: quantile(values, 0.5),
    p90: quantile(values, 0.9),
    min: Math.min(...values),
    max: Math.max(...values),
  }
}

export const fmtMs = (ms) => `${Math.round(ms)} ms`
export const fmtKb = (bytes) => `${(bytes / 1024).toFixed(0)} KB`
export const fmtMb = (kb) => `${(kb / 1024).toFixed(1)} MB`
