// Generates N realistic workflow files for the lint benchmark, cycling through kinds that each
// have a known verdict, so the benchmark can check the CLI really analysed every file.

import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const OWNER = 'bench'
export const REPOSITORY = `${OWNER}/app`

const checkout = `      - uses: actions/checkout@v5
      - name: Set up QEMU
        uses: docker/setup-qemu-action@v3
      - name: Set up Buildx
        uses: docker/setup-buildx-action@v3`

const login = `      - uses: docker/login-action@v3
        with:
          registry: ghcr.io
          username: \${{ github.actor }}
          password: \${{ secrets.GITHUB_TOKEN }}`

const header = (i, on = 'push') => `name: build ${i}
on:
  ${on}:
    branches: [main]
  pull_request:
env:
  IMAGE: ghcr.io/${OWNER}/svc-${i}
`

/** Each kind: the file text for index i, and the error finding id it must produce (or none). */
const KINDS = [
  {
    name: 'job grants packages: write',
    expect: null,
    text: (i) => `${header(i)}jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v5
      - run: make test
  image:
    needs: test
    runs-on: ubuntu-latest
    permissions:
      contents: read
      packages: write
    steps:
${checkout}
${login}
      - uses: docker/build-push-action@v6
        with:
          push: \${{ github.event_name == 'push' }}
          tags: |
            ghcr.io/${OWNER}/app-${i}:latest
            ghcr.io/${OWNER}/app-${i}:\${{ github.sha }}
`,
  },
  {
    name: 'job block without packages',
    expect: 'packages-permission-missing',
    text: (i) => `${header(i)}jobs:
  publish:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      id-token: write
    steps:
${checkout}
      - run: |
          docker build -t ghcr.io/${OWNER}/svc-${i}:1 .
          docker push ghcr.io/${OWNER}/svc-${i}:1
`,
  },
  {
    name: 'workflow read-all',
    expect: 'packages-permission-missing',
    text: (i) => `${header(i)}permissions: read-all
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
${checkout}
      - run: docker buildx build --push -t ghcr.io/${OWNER}/buildx-${i}:1 .
`,
  },
  {
    name: 'no permissions anywhere',
    expect: 'packages-permission-undeclared',
    text: (i) => `${header(i)}jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
${checkout}
${login}
      - uses: docker/build-push-action@v6
        with:
          push: true
          tags: ghcr.io/${OWNER}/undeclared-${i}:latest
`,
  },
  {
    name: 'capitals in the image name',
    expect: 'image-name-uppercase',
    text: (i) => `${header(i)}jobs:
  publish:
    runs-on: ubuntu-latest
    permissions:
      packages: write
    steps:
      - uses: craigedmunds/ghcr-preflight/preflight@v1
        with:
          image: ghcr.io/${OWNER}/MyApp-${i}
      - run: docker push ghcr.io/${OWNER}/MyApp-${i}:1
`,
  },
  {
    name: 'calls a reusable workflow with packages: read',
    expect: 'reusable-workflow-permission-ceiling',
    // The next index is always the callee kind below.
    text: (i) => `${header(i)}jobs:
  image:
    uses: ./.github/workflows/wf-${String(i + 1).padStart(4, '0')}.yml
    permissions:
      contents: read
      packages: read
    secrets: inherit
`,
  },
  {
    name: 'reusable callee that pushes',
    expect: null,
    text: (i) => `name: callee ${i}
on:
  workflow_call:
    inputs:
      tag: { type: string, default: latest }
jobs:
  publish:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      packages: write
    steps:
${checkout}
      - run: docker push ghcr.io/${OWNER}/callee-${i}:\${{ inputs.tag }}
  lint:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - run: make lint
`,
  },
  {
    name: 'YAML anchors, several jobs',
    expect: null,
    text: (i) => `${header(i)}jobs:
  amd64:
    runs-on: ubuntu-latest
    permissions: &push
      contents: read
      packages: write
    steps: &steps
${checkout}
${login}
      - run: docker push ghcr.io/${OWNER}/multi-${i}:\${{ github.sha }}
  arm64:
    runs-on: ubuntu-24.04-arm
    permissions: *push
    steps: *steps
  docs:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v5
      - run: make docs
`,
  },
]

/**
 * Writes `count` files into <root>/.github/workflows (wf-0000.yml …) and returns, per file, the
 * error-or-warning finding id it must produce (null: none expected).
 */
export function generateWorkflows(root, count) {
  const dir = join(root, '.github', 'workflows')
  mkdirSync(dir, { recursive: true })
  const expected = new Map()
  for (let i = 0; i < count; i++) {
    // A caller must be followed by its callee: at the end, fall back to a plain file.
    let kind = KINDS[i % KINDS.length]
    if (kind.name.startsWith('calls') && i + 1 >= count) kind = KINDS[0]
    const path = `.github/workflows/wf-${String(i).padStart(4, '0')}.yml`
    writeFileSync(join(root, path), kind.text(i))
    expected.set(path, kind.expect)
  }
  return { dir, expected, kinds: KINDS.length }
}
