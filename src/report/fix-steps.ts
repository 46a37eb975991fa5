// Fix steps are plain strings (see findings/catalogue.ts): the first line is a sentence,
// following lines indented by four or more spaces form a code block, other lines are text.
// This splits them so the summary and docs can render code as code.

export type StepPart = { kind: 'text'; text: string } | { kind: 'code'; code: string }

export function splitStep(step: string): StepPart[] {
  const parts: StepPart[] = []
  const lines = step.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const isCode = i > 0 && /^ {4}/.test(line)
    const last = parts[parts.length - 1]
    if (isCode) {
      const code = line.slice(4)
      if (last?.kind === 'code') last.code += `\n${code}`
      else parts.push({ kind: 'code', code })
    } else {
      const text = line.trim()
      if (text === '') continue
      if (last?.kind === 'text') last.text += ` ${text}`
      else parts.push({ kind: 'text', text })
    }
  }
  return parts
}
