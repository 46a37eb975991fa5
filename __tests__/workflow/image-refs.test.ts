// pushImageReferences (issue 9 item 4): the references a job's pushes use, and whether the
// workflow visibly lower-cases each one before Docker sees it.

import { describe, expect, it } from '@jest/globals'
import { pushImageReferences } from '../../src/workflow/image-refs.js'
import { at, parsed } from './helpers.js'

function images(steps: string) {
  const text = `on: push\njobs:\n  j:\n    steps:\n${steps}`
  const model = parsed(text)
  return { ...pushImageReferences(model, model.jobs[0]!, 'ghcr.io'), text }
}

const login =
  '      - uses: docker/login-action@v3\n        with:\n          registry: ghcr.io\n          password: ${{ github.token }}\n'
const buildPush = (tags: string) =>
  `      - uses: docker/build-push-action@v6\n        with:\n          push: true\n          tags: ${tags}\n`

describe('pushImageReferences', () => {
  it.each([
    [
      'metadata-action',
      '      - id: meta\n        uses: docker/metadata-action@v5\n        with:\n          images: ghcr.io/${{ github.repository }}\n' +
        login +
        buildPush('${{ steps.meta.outputs.tags }}'),
      ['docker/metadata-action'],
    ],
    [
      '${VAR,,} into $GITHUB_ENV',
      '      - run: echo "IMAGE=ghcr.io/${GITHUB_REPOSITORY,,}" >> "$GITHUB_ENV"\n' +
        login +
        buildPush('${{ env.IMAGE }}:latest'),
      ['${VAR,,}'],
    ],
    [
      "tr '[:upper:]' '[:lower:]' into a step output",
      "      - id: low\n        run: echo \"name=$(echo ghcr.io/$GITHUB_REPOSITORY | tr '[:upper:]' '[:lower:]')\" >> $GITHUB_OUTPUT\n" +
        login +
        buildPush('${{ steps.low.outputs.name }}:1'),
      ["tr '[:upper:]' '[:lower:]'"],
    ],
    [
      'tr A-Z a-z in the script that pushes',
      '      - run: |\n          IMAGE=$(echo "ghcr.io/$GITHUB_REPOSITORY" | tr A-Z a-z)\n          docker push "$IMAGE:1"\n',
      ['tr A-Z a-z'],
    ],
    [
      'change-string-case-action',
      '      - id: case\n        uses: ASzc/change-string-case-action@v6\n        with:\n          string: ${{ github.repository }}\n' +
        login +
        buildPush('ghcr.io/${{ steps.case.outputs.lowercase }}:1'),
      ['aszc/change-string-case-action'],
    ],
    [
      "ghcr-preflight's images output",
      '      - id: ghcr\n        uses: craigedmunds/ghcr-preflight@v1\n' +
        buildPush('${{ steps.ghcr.outputs.images }}:latest'),
      ["ghcr-preflight's images output"],
    ],
    [
      'toLowerCase() in github-script',
      "      - id: js\n        uses: actions/github-script@v7\n        with:\n          script: core.setOutput('image', `ghcr.io/${context.repo.owner}`.toLowerCase())\n" +
        login +
        buildPush('${{ steps.js.outputs.image }}/app:1'),
      ['toLowerCase()'],
    ],
  ])('%s: lower-cased', (_name, steps, by) => {
    const r = images(steps)
    const pushed = r.images.filter((i) => i.via !== 'ghcr-preflight image')
    expect(pushed.length).toBeGreaterThan(0)
    for (const i of pushed)
      expect({ lowercased: i.lowercased, by: i.lowercasedBy }).toEqual({ lowercased: true, by })
    expect(r.lowercasesVisibly).toBe(true)
  })

  it.each([
    ['github.repository as is', login + buildPush('ghcr.io/${{ github.repository }}:latest')],
    ['a literal with capitals', login + buildPush('ghcr.io/Acme/App:1')],
    [
      'one part lower-cased, another not',
      '      - run: echo "NAME=${NAME,,}" >> "$GITHUB_ENV"\n' +
        login +
        buildPush('ghcr.io/${{ github.repository_owner }}/${{ env.NAME }}:1'),
    ],
  ])('%s: not lower-cased', (_name, steps) => {
    const r = images(steps)
    expect(r.images.map((i) => i.lowercased)).toEqual([false])
    expect(r.lowercasesVisibly).toBe(false)
  })

  it('gives the position, the step and how the reference is used', () => {
    const r = images(login + buildPush('ghcr.io/${{ github.repository }}:latest'))
    expect(r.images).toEqual([
      {
        written: 'ghcr.io/${{ github.repository }}:latest',
        resolved: 'ghcr.io/${{ github.repository }}:latest',
        ...at(r.text, 'ghcr.io/${{'),
        stepIndex: 1,
        via: 'docker/build-push-action tags',
        dynamic: true,
        lowercased: false,
        lowercasedBy: [],
      },
    ])
  })
})
