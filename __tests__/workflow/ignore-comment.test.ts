// `# ghcr-preflight: ignore[id]` on a finding's line silences that id there, for deliberate
// choices (e.g. the project's own e2e job that must run without packages: write).

import { describe, expect, it } from '@jest/globals'
import { lintFiles } from '../../src/workflow/lint-files.js'

const place = { serverUrl: 'https://github.com', repository: 'acme/app', registry: 'ghcr.io' }

function workflow(packagesLine: string): string {
  return [
    'on: push',
    'jobs:',
    '  read:',
    '    runs-on: ubuntu-latest',
    '    permissions:',
    '      contents: read',
    `      ${packagesLine}`,
    '    steps:',
    '      - uses: docker/login-action@v3',
    '        with: { registry: ghcr.io, username: x, password: "${{ github.token }}" }',
    '      - run: docker push ghcr.io/acme/app:1',
    '',
  ].join('\n')
}

const ids = (text: string) =>
  lintFiles([{ path: '.github/workflows/w.yml', text }], { place }).map((f) => `${f.id}@${f.line}`)

describe('ignore comments', () => {
  it('without one, the missing permission is reported on the packages line', () => {
    expect(ids(workflow('packages: read'))).toContain('packages-permission-missing@7')
  })

  it('an ignore comment for that id on that line silences it', () => {
    expect(
      ids(
        workflow('packages: read # test job # ghcr-preflight: ignore[packages-permission-missing]'),
      ),
    ).not.toContain('packages-permission-missing@7')
  })

  it('an ignore comment for another id, or on another line, does not', () => {
    expect(
      ids(workflow('packages: read # ghcr-preflight: ignore[image-name-uppercase]')),
    ).toContain('packages-permission-missing@7')
    const moved = workflow('packages: read').replace(
      'contents: read',
      'contents: read # ghcr-preflight: ignore[packages-permission-missing]',
    )
    expect(ids(moved)).toContain('packages-permission-missing@7')
  })
})
