import { describe, expect, it } from '@jest/globals'
import { classifyCredential, type CredentialScope } from '../../src/workflow/credentials.js'

const alone: CredentialScope = { env: [] }

describe('classifyCredential: which token a login uses', () => {
  it.each([
    ['${{ secrets.GITHUB_TOKEN }}', 'run-token', 'secrets.GITHUB_TOKEN'],
    ['${{ secrets.github_token }}', 'run-token', 'secrets.GITHUB_TOKEN'],
    ['${{ github.token }}', 'run-token', 'github.token'],
    ["${{ secrets['GITHUB_TOKEN'] }}", 'run-token', 'secrets.GITHUB_TOKEN'],
    ['${{ secrets.CR_PAT }}', 'stored', 'secrets.CR_PAT'],
    ['${{ secrets.GHCR_TOKEN }}', 'stored', 'secrets.GHCR_TOKEN'],
    ['${{ steps.app-token.outputs.token }}', 'stored', 'steps.app-token.outputs.token'],
    // A PAT with the run's token as fallback: the run's token may push, so it needs write.
    ['${{ secrets.GHCR_TOKEN || github.token }}', 'run-token', 'github.token'],
    ['${{ inputs.password }}', 'unknown', 'inputs.password'],
    ['echo "$GITHUB_TOKEN"', 'run-token', '$GITHUB_TOKEN'],
    ['echo "$REGISTRY_PASSWORD"', 'unknown', '$REGISTRY_PASSWORD'],
    ['', 'unknown', '(nothing)'],
  ])('%s → %s', (text, kind, shown) => {
    expect(classifyCredential(text, alone)).toEqual({ kind, shown })
  })

  it('follows env values, nearest first', () => {
    const scope: CredentialScope = {
      env: [
        new Map([['TOKEN', '${{ secrets.PAT }}']]),
        new Map([['TOKEN', '${{ github.token }}']]),
      ],
    }
    expect(classifyCredential('${{ env.TOKEN }}', scope).kind).toBe('stored')
    expect(classifyCredential('echo $TOKEN |', scope).kind).toBe('stored')
  })

  it('reads a called workflow secret as the caller passes it', () => {
    const passed: CredentialScope = {
      env: [],
      secrets: new Map([
        ['registry-token', '${{ secrets.GITHUB_TOKEN }}'],
        ['pat', '${{ secrets.CR_PAT }}'],
      ]),
    }
    expect(classifyCredential('${{ secrets.registry-token }}', passed).kind).toBe('run-token')
    expect(classifyCredential('${{ secrets.pat }}', passed).kind).toBe('stored')
    // Judged alone, a named secret is a stored token.
    expect(classifyCredential('${{ secrets.registry-token }}', alone).kind).toBe('stored')
  })

  it('uses an input default when the caller passes nothing', () => {
    const scope: CredentialScope = {
      env: [],
      inputs: new Map([['token', '${{ github.token }}']]),
    }
    expect(classifyCredential('${{ inputs.token }}', scope).kind).toBe('run-token')
  })
})
