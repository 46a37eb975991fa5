// What kind of token a value is, from its prefix (github.blog 2021-03-31 token formats) and by
// comparison with the run's own token. Never returns or logs any part of the value.

export type TokenKind =
  'empty' | 'actions' | 'classic' | 'fine-grained' | 'app' | 'oauth' | 'user-to-server' | 'unknown'

export function classifyToken(value: string, runToken: string): TokenKind {
  const v = value.trim()
  if (v === '') return 'empty'
  if (runToken !== '' && v === runToken.trim()) return 'actions'
  if (v.startsWith('github_pat_')) return 'fine-grained'
  if (v.startsWith('ghp_')) return 'classic'
  if (v.startsWith('gho_')) return 'oauth'
  if (v.startsWith('ghu_')) return 'user-to-server'
  // A ghs_ value that is not the run's token belongs to another App installation.
  if (v.startsWith('ghs_')) return 'app'
  return 'unknown'
}

/** Words for messages: what the user would call the token. */
export function describeTokenKind(kind: TokenKind): string {
  switch (kind) {
    case 'empty':
      return 'an empty value'
    case 'actions':
      return "the run's own GITHUB_TOKEN"
    case 'classic':
      return 'a personal access token (classic, ghp_)'
    case 'fine-grained':
      return 'a fine-grained personal access token (github_pat_)'
    case 'app':
      return "a GitHub App installation token (ghs_) other than the run's own"
    case 'oauth':
      return 'an OAuth token (gho_, e.g. from `gh auth token`)'
    case 'user-to-server':
      return 'a GitHub App user-to-server token (ghu_)'
    case 'unknown':
      return 'a token of unknown kind (an old 40-hex token or a GHES token)'
  }
}
