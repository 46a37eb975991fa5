// Process plumbing for the benchmark: the machine description, a private copy of dist/ (so a
// rebuild by someone else mid-run cannot change what is measured), timed child processes, and
// peak RSS. Run directories come from action-process.mjs prepareRun.

import { execFileSync, spawn } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs'
import os from 'node:os'
import { dirname, join, resolve as resolvePath } from 'node:path'
import { ROOT, parseWorkflowCommands } from './action-process.mjs'

export function machine(node24Exe) {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : ''
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model
  let nproc
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim())
  } catch {
    nproc = os.availableParallelism?.() ?? os.cpus().length
  }
  const node24 = node24Exe
    ? execFileSync(node24Exe, ['--version'], { encoding: 'utf8' }).trim()
    : 'unavailable'
  return {
    nproc,
    realtime: realtimePolicy(),
    cpu: model ?? 'unknown',
    memoryGb: (os.totalmem() / 2 ** 30).toFixed(1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node20: process.version,
    node24,
  }
}

/**
 * The bench's scheduling policy when it is a real-time one (`chrt -f 10 npm run bench`): then
 * other processes on a shared machine cannot preempt the measured ones. Linux only.
 */
function realtimePolicy() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8')
    // Fields after "(comm)": policy is field 41 of the whole line, the 39th after the name.
    const policy = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38])
    return { 1: 'SCHED_FIFO', 2: 'SCHED_RR' }[policy]
  } catch {
    return undefined
  }
}

/** Copies dist/ (or another build) to a temp folder; returns the two bundles' paths in the copy. */
export function snapshotDist(from = join(ROOT, 'dist')) {
  const src = resolvePath(from)
  const action = join(src, 'index.js')
  const cli = join(src, 'cli', 'index.js')
  if (!existsSync(action) || !existsSync(cli)) {
    throw new Error(
      `${src}/index.js or ${src}/cli/index.js is missing: run \`bash scripts/build.sh\``,
    )
  }
  const dir = mkdtempSync(join(os.tmpdir(), 'ghcr-preflight-bench-dist-'))
  cpSync(src, dir, { recursive: true })
  // ncc's chunk files: the code the action loads with `await import()` when a run needs it.
  const chunks = readdirSync(src).filter((f) => /^\d+\.index\.js$/.test(f))
  const entry = readFileSync(action, 'utf8')
  return {
    dir,
    action: join(dir, 'index.js'),
    cli: join(dir, 'cli', 'index.js'),
    sizes: {
      action: statSync(action).size,
      chunks: chunks.reduce((sum, f) => sum + statSync(join(src, f)).size, 0),
      chunkCount: chunks.length,
      cli: statSync(cli).size,
    },
    // Network packages evaluated by every start when they sit in the entry file (names they
    // carry at run time: undici's, octokit's and @actions/http-client's user agents).
    networkInEntry: ['undici', 'octokit-core.js', 'actions/http-client'].filter((name) =>
      entry.includes(name),
    ),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
}

/**
 * Runs a command to completion and times it from spawn to exit (stdio closed), in ms.
 * stdout and stderr are piped and kept, the same for every command, so the comparison is fair.
 */
export function timedRun(exe, args, { env, cwd, timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn(exe, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      resolve({
        code,
        signal,
        ms,
        stdout,
        stderr,
        commands: parseWorkflowCommands(stdout),
      })
    })
  })
}

const GNU_TIME = '/usr/bin/time'

/**
 * Runs a command and returns its peak resident set size in KB: GNU time's %M when /usr/bin/time
 * exists, else the highest VmHWM seen while polling /proc/<pid>/status (may miss the last ms).
 */
export async function peakRssRun(exe, args, opts) {
  if (existsSync(GNU_TIME)) {
    const out = join(mkdtempSync(join(os.tmpdir(), 'ghcr-preflight-bench-rss-')), 'rss')
    const run = await timedRun(GNU_TIME, ['-f', '%M', '-o', out, exe, ...args], opts)
    const kb = Number(readFileSync(out, 'utf8').trim().split('\n').pop())
    rmSync(dirname(out), { recursive: true, force: true })
    return { ...run, peakKb: kb, method: '/usr/bin/time -f %M' }
  }
  let peak = 0
  const child = spawn(exe, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.resume()
  const poll = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
      const hwm = Number(/^VmHWM:\s*(\d+)/m.exec(status)?.[1] ?? 0)
      if (hwm > peak) peak = hwm
    } catch {
      // the process has just ended
    }
  }, 2)
  const code = await new Promise((resolve) => child.on('close', resolve))
  clearInterval(poll)
  return { code, stdout, peakKb: peak, method: 'polled /proc/<pid>/status VmHWM' }
}
