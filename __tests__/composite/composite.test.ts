// The packaging, evaluated: action.yml and preflight/action.yml declare exactly the contract's
// inputs and outputs, the composite hands docker/login-action exactly the preflight's credential
// and only when it may push, ghcr-push.yml pushes only with a proven credential, and every
// third-party action is pinned by commit SHA.

import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse, parseDocument } from 'yaml'
import {
  evaluateComposite,
  evaluateWorkflowJob,
  parseGithubOutput,
  type EvaluatedStep,
} from './evaluate.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const ACTION = join(root, 'action.yml')
const PREFLIGHT = join(root, 'preflight', 'action.yml')
const WORKFLOWS = join(root, '.github', 'workflows')
const GHCR_PUSH = join(WORKFLOWS, 'ghcr-push.yml')

// contracts.md §2 (inputs, with their action.yml defaults) and §3 (outputs).
const CONTRACT_INPUTS: Record<string, string> = {
  image: '',
  registry: '',
  'github-token': '${{ github.token }}',
  'fallback-token': '',
  'fallback-username': '',
  login: 'true',
  probe: 'true',
  'on-untrusted': 'skip',
  'on-unverified': 'warn',
  'timeout-seconds': '30',
  'workflow-file': '',
}
const COMPOSITE_ONLY_INPUTS = ['login']
const CONTRACT_OUTPUTS = [
  'result',
  'can-push',
  'credential-source',
  'registry',
  'username',
  'password',
  'images',
  'findings',
]

type Yaml = Record<string, unknown>

function load(path: string): Yaml {
  return parse(readFileSync(path, 'utf8')) as Yaml
}

function loginStep(steps: EvaluatedStep[]): EvaluatedStep {
  const found = steps.filter((s) => s.uses?.startsWith('docker/login-action@'))
  expect(found).toHaveLength(1)
  return found[0]
}

function stepById(steps: EvaluatedStep[], id: string): EvaluatedStep {
  const found = steps.find((s) => s.id === id)
  if (found === undefined) throw new Error(`no step with id ${id}`)
  return found
}

function preflightOutputs(
  result: string,
  canPush: boolean,
  source: string,
  username: string,
  password: string,
): Record<string, string> {
  return {
    result,
    'can-push': String(canPush),
    'credential-source': source,
    registry: 'ghcr.io',
    username,
    password,
    images: 'ghcr.io/craigedmunds/argocd-eda',
    findings: '[]',
  }
}

const VERDICTS = {
  ready: preflightOutputs('ready', true, 'github-token', 'craigedmunds', 'ghs_runToken111'),
  fallback: preflightOutputs('fallback', true, 'fallback-token', 'craig-pat', 'ghp_patToken222'),
  fail: preflightOutputs('fail', false, 'none', '', ''),
  skip: preflightOutputs('skip', false, 'none', '', ''),
  unverified: preflightOutputs('unverified', false, 'none', '', ''),
}

describe('action.yml and preflight/action.yml declare the contract', () => {
  const composite = load(ACTION)
  const node = load(PREFLIGHT)

  it.each([
    ['action.yml', composite, Object.keys(CONTRACT_INPUTS)],
    [
      'preflight/action.yml',
      node,
      Object.keys(CONTRACT_INPUTS).filter((n) => !COMPOSITE_ONLY_INPUTS.includes(n)),
    ],
  ])(
    '%s has exactly the contract inputs, each described, with its default',
    (_f, action, names) => {
      const inputs = action.inputs as Record<string, Yaml>
      expect(Object.keys(inputs).sort()).toEqual([...names].sort())
      for (const name of names) {
        expect(typeof inputs[name].description).toBe('string')
        expect(String(inputs[name].description).length).toBeGreaterThan(10)
        expect(inputs[name].required ?? false).toBe(false)
        expect(inputs[name].default ?? '').toBe(CONTRACT_INPUTS[name])
      }
    },
  )

  it.each([
    ['action.yml', composite],
    ['preflight/action.yml', node],
  ])('%s has exactly the contract outputs, each described', (_f, action) => {
    const outputs = action.outputs as Record<string, Yaml>
    expect(Object.keys(outputs).sort()).toEqual([...CONTRACT_OUTPUTS].sort())
    for (const name of CONTRACT_OUTPUTS) {
      expect(String(outputs[name].description ?? '').length).toBeGreaterThan(5)
    }
  })

  it('runs the composite as preflight then login, and the node step on node24 from ../dist', () => {
    expect(composite.author).toBe('craigedmunds')
    expect(composite.branding).toEqual({ icon: expect.any(String), color: expect.any(String) })
    const runs = composite.runs as Yaml
    expect(runs.using).toBe('composite')
    const steps = runs.steps as Yaml[]
    expect(steps.map((s) => s.uses)).toEqual([
      '$/preflight',
      expect.stringMatching(/^docker\/login-action@[0-9a-f]{40}$/),
    ])
    expect(steps[0].id).toBe('preflight')
    expect(node.runs).toEqual({
      using: 'node24',
      main: '../dist/index.js',
      post: '../dist/post/index.js',
      'post-if': expect.stringContaining('env.GHCR_PREFLIGHT_RESULT'),
    })
  })

  it('maps every output to the preflight step output of the same name', () => {
    const distinct = Object.fromEntries(CONTRACT_OUTPUTS.map((n) => [n, `value-of-${n}`]))
    const run = evaluateComposite(ACTION, {
      preflightOutputs: distinct,
      preflightOutcome: 'success',
    })
    expect(run.outputs).toEqual(distinct)
  })

  it('still maps the outputs when the preflight step fails, so callers can read the findings', () => {
    const run = evaluateComposite(ACTION, { preflightOutputs: VERDICTS.fail })
    expect(run.outputs.result).toBe('fail')
    expect(run.outputs.findings).toBe('[]')
  })
})

describe('composite: inputs reach the preflight step unchanged', () => {
  it('passes every contract input but login under the same name', () => {
    const given = Object.fromEntries(
      Object.keys(CONTRACT_INPUTS).map((n) => [n, n === 'login' ? 'true' : `given-${n}`]),
    )
    const run = evaluateComposite(ACTION, { inputs: given, preflightOutputs: VERDICTS.ready })
    const preflight = stepById(run.steps, 'preflight')
    const expected = Object.fromEntries(
      Object.entries(given).filter(([n]) => !COMPOSITE_ONLY_INPUTS.includes(n)),
    )
    expect(preflight.with).toEqual(expected)
    expect(preflight.runs).toBe(true)
    expect(run.warnings).toEqual([])
  })

  it('applies the defaults, github-token from the run', () => {
    const run = evaluateComposite(ACTION, {
      github: { token: 'ghs_fromTheRun' },
      preflightOutputs: VERDICTS.ready,
    })
    const expected = Object.fromEntries(
      Object.entries(CONTRACT_INPUTS)
        .filter(([n]) => !COMPOSITE_ONLY_INPUTS.includes(n))
        .map(([n, v]) => [n, n === 'github-token' ? 'ghs_fromTheRun' : v]),
    )
    expect(stepById(run.steps, 'preflight').with).toEqual(expected)
  })

  it('warns about an input the action does not declare, as the runner does', () => {
    const run = evaluateComposite(ACTION, {
      inputs: { images: 'ghcr.io/x/y' },
      preflightOutputs: VERDICTS.ready,
    })
    expect(run.warnings).toEqual(["Unexpected input 'images'"])
  })
})

describe('composite: docker/login-action runs only with a credential that may push', () => {
  it.each([
    ['ready', true, VERDICTS.ready, {}],
    ['fallback', true, VERDICTS.fallback, {}],
    ['fail', false, VERDICTS.fail, {}],
    ['skip', false, VERDICTS.skip, {}],
    ['unverified (warn)', false, VERDICTS.unverified, {}],
    ['ready, login: false', false, VERDICTS.ready, { login: 'false' }],
    ['fallback, login: FALSE', false, VERDICTS.fallback, { login: 'FALSE' }],
    ['ready, login: True', true, VERDICTS.ready, { login: 'True' }],
    // A verdict that says can-push but a failed step must not log in either.
    [
      'unverified with on-unverified: fail',
      false,
      { ...VERDICTS.unverified, 'can-push': 'true' },
      { 'on-unverified': 'fail' },
    ],
    ['fail that claims can-push', false, { ...VERDICTS.fail, 'can-push': 'true' }, {}],
  ])('%s → login runs: %s', (_name, expected, outputs, inputs) => {
    const run = evaluateComposite(ACTION, { inputs, preflightOutputs: outputs })
    const login = loginStep(run.steps)
    expect(login.runs).toBe(expected)
  })

  it.each(['ready', 'fallback'] as const)(
    '%s: login-action receives exactly the preflight registry, username and password',
    (verdict) => {
      const outputs = VERDICTS[verdict]
      const run = evaluateComposite(ACTION, { preflightOutputs: outputs })
      expect(loginStep(run.steps).with).toEqual({
        registry: outputs.registry,
        username: outputs.username,
        password: outputs.password,
      })
    },
  )

  it('passes the chosen credential through even on a GHE.com registry host', () => {
    const outputs = { ...VERDICTS.ready, registry: 'containers.acme.ghe.com' }
    const run = evaluateComposite(ACTION, {
      github: { server_url: 'https://acme.ghe.com' },
      preflightOutputs: outputs,
    })
    expect(loginStep(run.steps).with.registry).toBe('containers.acme.ghe.com')
  })
})

describe('parseGithubOutput reads what @actions/core setOutput writes', () => {
  it('reads heredoc blocks and name=value lines', () => {
    const text = [
      'result<<ghadelimiter_1',
      'ready',
      'ghadelimiter_1',
      'images<<ghadelimiter_2',
      'ghcr.io/a/b',
      'ghcr.io/a/c',
      'ghadelimiter_2',
      'can-push=true',
      '',
    ].join('\n')
    expect(parseGithubOutput(text)).toEqual({
      result: 'ready',
      images: 'ghcr.io/a/b\nghcr.io/a/c',
      'can-push': 'true',
    })
  })

  it('rejects an unterminated block', () => {
    expect(() => parseGithubOutput('a<<EOF\nvalue\n')).toThrow('no closing delimiter')
  })

  it('feeds evaluateComposite', () => {
    const outputs = parseGithubOutput(
      'result<<d\nready\nd\ncan-push<<d\ntrue\nd\nregistry<<d\nghcr.io\nd\nusername<<d\nme\nd\npassword<<d\nghs_x\nd\n',
    )
    const run = evaluateComposite(ACTION, { preflightOutputs: outputs })
    expect(loginStep(run.steps)).toMatchObject({
      runs: true,
      with: { registry: 'ghcr.io', username: 'me', password: 'ghs_x' },
    })
  })
})

describe('ghcr-push.yml, the reusable workflow', () => {
  const workflow = load(GHCR_PUSH)
  const call = (workflow.on as Yaml).workflow_call as Yaml

  it('declares the inputs, the optional GHCR_TOKEN secret and the outputs', () => {
    const inputs = call.inputs as Record<string, Yaml>
    expect(Object.keys(inputs).sort()).toEqual(
      ['build-args', 'context', 'file', 'image', 'platforms', 'push', 'tags'].sort(),
    )
    for (const [name, spec] of Object.entries(inputs)) {
      expect(spec.type).toBe(name === 'push' ? 'boolean' : 'string')
      expect(spec.required ?? false).toBe(false)
      expect(String(spec.description ?? '').length).toBeGreaterThan(5)
    }
    expect(inputs.push.default).toBe(true)
    expect(call.secrets).toEqual({
      GHCR_TOKEN: { description: expect.any(String), required: false },
    })
    expect(Object.keys(call.outputs as Yaml).sort()).toEqual(['digest', 'result'])
  })

  it('grants nothing at workflow level and only contents: read, packages: write to the job', () => {
    expect(workflow.permissions).toEqual({})
    const jobs = workflow.jobs as Record<string, Yaml>
    expect(Object.keys(jobs)).toEqual(['push'])
    expect(jobs.push.permissions).toEqual({ contents: 'read', packages: 'write' })
  })

  const base = {
    github: { repository: 'acme/api', server_url: 'https://github.com' },
    secrets: { GHCR_TOKEN: 'ghp_callerPat' },
  }
  // The `image` step's shell script, run by real bash: it lower-cases the caller's input.
  const imageStep = (image: string): Record<string, string> => {
    const wf = parse(readFileSync(GHCR_PUSH, 'utf8')) as {
      jobs: { push: { steps: { id?: string; run?: string }[] } }
    }
    const script = wf.jobs.push.steps.find((x) => x.id === 'image')!.run!
    const dir = mkdtempSync(join(tmpdir(), 'ghcr-push-image-'))
    try {
      const out = join(dir, 'output')
      writeFileSync(out, '')
      execFileSync('bash', ['-e', '-c', script], {
        env: { PATH: process.env.PATH, IMAGE: image, GITHUB_OUTPUT: out },
      })
      return parseGithubOutput(readFileSync(out, 'utf8'))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  const withVerdict = (verdict: Record<string, string>, inputs: Record<string, unknown> = {}) =>
    evaluateWorkflowJob(GHCR_PUSH, 'push', {
      ...base,
      inputs,
      stepOutputs: {
        image: imageStep(String(inputs.image ?? '')),
        preflight: verdict,
        meta: { tags: 'ghcr.io/acme/api:main', labels: 'org.opencontainers.image.source=x' },
        build: { digest: 'sha256:abc' },
      },
      stepOutcomes: { preflight: verdict.result === 'fail' ? 'failure' : 'success' },
    })

  it.each([
    ['ready', true, 'true', VERDICTS.ready, {}],
    ['fallback', true, 'true', VERDICTS.fallback, {}],
    ['skip (fork pull request)', false, 'false', VERDICTS.skip, {}],
    ['unverified', false, 'false', VERDICTS.unverified, {}],
    ['ready, push: false', true, 'false', VERDICTS.ready, { push: false }],
  ])('%s → login %s, build-push push=%s', (_n, login, push, verdict, inputs) => {
    const run = withVerdict(verdict, inputs)
    expect(loginStep(run.steps).runs).toBe(login)
    const build = stepById(run.steps, 'build')
    expect(build.runs).toBe(true)
    expect(build.with.push).toBe(push)
  })

  it('stops after a failed preflight: no login, no build', () => {
    const run = withVerdict(VERDICTS.fail)
    expect(loginStep(run.steps).runs).toBe(false)
    expect(stepById(run.steps, 'build').runs).toBe(false)
  })

  it("lower-cases the caller's image input before the preflight sees it (issue 9 item 4)", () => {
    const run = withVerdict(VERDICTS.ready, {
      image: 'ghcr.io/Octo-Org/API\nghcr.io/Octo-Org/Worker',
    })
    expect(stepById(run.steps, 'preflight').with.image).toBe(
      'ghcr.io/octo-org/api\nghcr.io/octo-org/worker',
    )
  })

  it('wires the preflight, metadata and build steps together', () => {
    const run = withVerdict(VERDICTS.fallback, {
      image: 'ghcr.io/acme/api',
      context: 'svc',
      file: 'svc/Dockerfile',
      platforms: 'linux/amd64,linux/arm64',
      tags: 'type=sha',
      'build-args': 'A=1',
    })
    expect(run.steps[0]).toMatchObject({
      uses: expect.stringMatching(/^actions\/checkout@[0-9a-f]{40}$/),
      with: { 'persist-credentials': 'false' },
    })
    expect(stepById(run.steps, 'preflight')).toMatchObject({
      uses: 'craigedmunds/ghcr-preflight/preflight@v1',
      with: { image: 'ghcr.io/acme/api', 'fallback-token': 'ghp_callerPat' },
    })
    expect(loginStep(run.steps).with).toEqual({
      registry: 'ghcr.io',
      username: 'craig-pat',
      password: 'ghp_patToken222',
    })
    const meta = stepById(run.steps, 'meta')
    expect(meta.with.images).toBe(VERDICTS.fallback.images)
    expect(meta.with.tags).toBe('type=sha')
    expect(meta.with.labels.trim()).toBe(
      'org.opencontainers.image.source=https://github.com/acme/api',
    )
    expect(stepById(run.steps, 'build').with).toEqual({
      context: 'svc',
      file: 'svc/Dockerfile',
      platforms: 'linux/amd64,linux/arm64',
      'build-args': 'A=1',
      tags: 'ghcr.io/acme/api:main',
      labels: 'org.opencontainers.image.source=x',
      push: 'true',
    })
    expect(run.workflowOutputs).toEqual({ result: 'fallback', digest: 'sha256:abc' })
  })

  it('uses the documented defaults for a bare call', () => {
    const run = withVerdict(VERDICTS.ready)
    expect(run.inputs).toEqual({
      image: '',
      context: '.',
      file: '',
      platforms: '',
      tags: '',
      push: true,
      'build-args': '',
    })
    expect(stepById(run.steps, 'preflight').with.image).toBe('')
  })

  it('rejects an input it does not declare, as GitHub does at start-up', () => {
    expect(() =>
      evaluateWorkflowJob(GHCR_PUSH, 'push', { inputs: { images: 'x' }, stepOutputs: {} }),
    ).toThrow('images is not defined')
  })
})

// ---------------------------------------------------------------------------------------------
// Release hygiene over every file that can reference an action

const workflowFiles = readdirSync(WORKFLOWS)
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => join(WORKFLOWS, f))
const actionFiles = [ACTION, PREFLIGHT, ...workflowFiles]

// This repository's own actions and workflows, referenced locally or by the floating major.
const FIRST_PARTY = /^(\.\/|\$\/|craigedmunds\/ghcr-preflight[/@])/

function usesInTree(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => usesInTree(n, found))
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'uses' && typeof value === 'string') found.push(value)
      else usesInTree(value, found)
    }
  }
  return found
}

interface UsesLine {
  line: number
  ref: string
  comment: string
}

function usesLines(text: string): UsesLine[] {
  return text.split('\n').flatMap((line, i) => {
    const m = /^\s*(?:-\s+)?uses:\s*(['"]?)([^\s'"#]+)\1\s*(?:#\s*(.*))?$/.exec(line)
    return m ? [{ line: i + 1, ref: m[2], comment: m[3] ?? '' }] : []
  })
}

describe('every third-party action is pinned by commit SHA with a version comment', () => {
  it('finds the workflow files', () => {
    expect(workflowFiles.map((f) => f.slice(WORKFLOWS.length + 1)).sort()).toEqual(
      expect.arrayContaining(['check-dist.yml', 'ci.yml', 'ghcr-push.yml', 'release.yml']),
    )
  })

  it.each(actionFiles.map((f) => [f.slice(root.length + 1), f]))('%s', (_name, file) => {
    const text = readFileSync(file, 'utf8')
    const lines = usesLines(text)
    // The line scan must see every `uses:` the YAML holds, so nothing escapes the check.
    expect(lines.map((l) => l.ref).sort()).toEqual(usesInTree(parse(text)).sort())
    for (const { line, ref, comment } of lines) {
      if (FIRST_PARTY.test(ref)) continue
      const where = `${file.slice(root.length + 1)}:${line} ${ref}`
      expect({ where, pinned: /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/.test(ref) }).toEqual({
        where,
        pinned: true,
      })
      expect({ where, comment }).toEqual({
        where,
        comment: expect.stringMatching(/^v\d+(\.\d+){0,2}\b/),
      })
    }
  })

  it('pins each action to one SHA everywhere', () => {
    const shaByAction = new Map<string, Set<string>>()
    for (const file of actionFiles) {
      for (const { ref } of usesLines(readFileSync(file, 'utf8'))) {
        if (FIRST_PARTY.test(ref)) continue
        const [name, sha] = ref.split('@')
        shaByAction.set(name, (shaByAction.get(name) ?? new Set()).add(sha))
      }
    }
    for (const [name, shas] of shaByAction)
      expect({ name, shas: [...shas] }).toEqual({ name, shas: [expect.any(String)] })
  })
})

describe('every workflow grants least privilege', () => {
  it.each(workflowFiles.map((f) => [f.slice(WORKFLOWS.length + 1), f]))('%s', (_n, file) => {
    const text = readFileSync(file, 'utf8')
    // Top level is {} or contents: read only; anything more belongs on the job that needs it.
    expect(parseDocument(text).has('permissions')).toBe(true)
    expect([{}, { contents: 'read' }]).toContainEqual((parse(text) as Yaml).permissions)
    // Every elevated scope says why on its own line.
    const uncommented = text
      .split('\n')
      .map((line, i) => ({ line: i + 1, text: line }))
      .filter((l) => /^\s+[a-z-]+:\s*write\b/.test(l.text) && !/#\s*\S/.test(l.text))
    expect(uncommented).toEqual([])
  })
})
