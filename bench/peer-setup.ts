// --peers and --install-peers on this machine: which peers are installed (the Go
// peer built), and installing the missing ones, each command printed first.
import { spawn } from 'node:child_process'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { findExecutable } from './capabilities.js'
import { buildGoPeer } from './peers/go-build.js'
import { PEERS } from './peers/index.js'
import { installPlan, type InstallStep } from './peers/install.js'
import type { PeerSpec } from './peers/peer.js'
import type { PeerFound } from './scenario-runner.js'
import type { Peer } from './scenarios.js'

/** Kept between runs: the Go peer's binary (by source hash), go's build cache, npm peers installed without root. */
export const BENCH_CACHE = join(tmpdir(), 'servekit-bench-cache')
const NPM_PREFIX = join(BENCH_CACHE, 'npm')
const SEARCH_PATH = [process.env.PATH ?? '', join(NPM_PREFIX, 'node_modules', '.bin')].join(delimiter)

function hasModule (name: string): boolean {
  try {
    import.meta.resolve(name)
    return true
  } catch {
    return false
  }
}

async function locate (spec: PeerSpec): Promise<string | undefined> {
  if ('devDependency' in spec.install) return hasModule(spec.install.devDependency.replace(/@[^@/]*$/, '')) ? process.execPath : undefined
  return await findExecutable(spec.executable, SEARCH_PATH)
}

async function findPeer (spec: PeerSpec, goSource: string, say: (line: string) => void): Promise<PeerFound> {
  const executable = await locate(spec)
  if (executable === undefined) return { missing: 'devDependency' in spec.install ? `${spec.install.devDependency} not installed: npm install` : `no ${spec.executable} on PATH` }
  if (spec.name !== 'go') return { executable }
  try {
    const binary = await buildGoPeer(executable, goSource, BENCH_CACHE)
    say(`go peer: ${binary}`)
    return { executable: binary }
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? (error as Error).message).trim().split('\n').slice(-2).join(' | ')
    return { missing: `go build failed: ${stderr}` }
  }
}

export async function findPeers (goSource: string, say: (line: string) => void): Promise<Map<Peer, PeerFound>> {
  const found = new Map<Peer, PeerFound>()
  for (const spec of PEERS) found.set(spec.name, await findPeer(spec, goSource, say))
  return found
}

async function runStep (step: InstallStep): Promise<void> {
  const child = spawn(step.command, step.args, { stdio: ['ignore', 2, 2] })
  const code = await new Promise<number | string>((resolve) => {
    child.once('error', (error) => resolve(error.message))
    child.once('close', (status, signal) => resolve(signal ?? status ?? 0))
  })
  if (code !== 0) throw new Error(`${[step.command, ...step.args].join(' ')} failed (${code})`)
}

/** Installs what is missing; a second call finds everything and does nothing. */
export async function installPeers (say: (line: string) => void): Promise<void> {
  const missing: PeerSpec[] = []
  for (const spec of PEERS) {
    if (await locate(spec) !== undefined) say(`installed: ${spec.name}`)
    else if ('devDependency' in spec.install) say(`missing: ${spec.name}: ${spec.install.devDependency} is a devDependency of servekit; run npm install`)
    else missing.push(spec)
  }
  const plan = installPlan(missing, { root: process.getuid?.() === 0, npmPrefix: NPM_PREFIX })
  if (plan.length === 0) say('--install-peers: nothing to install')
  for (const step of plan) {
    say(`--install-peers: ${[step.command, ...step.args].join(' ')}`)
    await runStep(step)
  }
}
