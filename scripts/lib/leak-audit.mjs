// Leak audit: a token must never appear in anything a run writes, except the masked `password`
// output. Checks each token raw, base64 (alone and as user:token for any user name seen), and
// URL-encoded.

function forms(token) {
  const out = new Set([token, Buffer.from(token).toString('base64'), encodeURIComponent(token)])
  // The base64 of "user:token" contains the base64 of ":token" shifted by the user's length;
  // checking the three alignments of ":" + token catches every user name.
  for (let pad = 0; pad < 3; pad++) {
    // Bytes before the token: pad + 1 (the ":"). Keep only the base64 groups made of token bytes.
    const before = pad + 1
    const b64 = Buffer.from('x'.repeat(pad) + ':' + token).toString('base64')
    const firstGroup = Math.ceil(before / 3)
    const lastGroup = Math.floor((before + Buffer.byteLength(token)) / 3)
    const core = b64.slice(firstGroup * 4, lastGroup * 4)
    if (core.length >= 16) out.add(core)
  }
  return [...out].filter((f) => f.length >= 8)
}

/** @returns {string[]} problems */
export function auditLeaks(run, tokens) {
  const problems = []
  const outputs = { ...run.outputs }
  delete outputs.password
  const places = {
    stdout: run.stdout.replace(/^::add-mask::.*$/gm, ''),
    stderr: run.stderr,
    summary: run.summary,
    state: run.state,
    env: run.envFile,
    outputs: JSON.stringify(outputs),
  }
  for (const token of tokens) {
    if (!token || token.length < 8) continue
    for (const form of forms(token)) {
      for (const [where, text] of Object.entries(places)) {
        if (text.includes(form))
          problems.push(`leak: a token (or an encoding of it) appears in ${where}`)
      }
    }
  }
  return [...new Set(problems)]
}
