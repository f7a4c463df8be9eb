// What a peer server is to the bench, as data: which executable it needs, which
// scenarios it can take part in, and (pure) the command and config files that
// start it. The runner writes the files into the peer's own folder and launches.
import type { Peer, PeerAbility } from '../scenarios.js'
import type { Command, ServerContext } from '../servers.js'

export interface ConfigFile {
  path: string
  content: string
}

export interface PeerLaunch {
  command: Command
  /** Written before the command runs (configs); folders to create too. */
  files: ConfigFile[]
  folders: string[]
}

export interface PeerInput {
  ctx: ServerContext
  /** The executable found (for Go: the built peer binary). */
  executable: string
  port: number
  /** A folder of this run's own, for config, pid and error-log files. */
  prefix: string
  /** Serve HTTPS with the bench certificate. */
  tls: boolean
  /** The harness runs as root: servers that insist on dropping privileges get `nobody`. */
  root: boolean
}

export interface PeerSpec {
  name: Peer
  /** Looked up on PATH (and the sbin folders). */
  executable: string
  /** Where it comes from, for --install-peers. */
  install: { debian: string } | { npm: string } | { devDependency: string }
  abilities: readonly PeerAbility[]
  /** How it differs from one single-threaded process, noted under every scenario it takes part in. */
  note?: string
  /** Scenarios whose CPU time /proc cannot give for this peer, and why: no CPU µs/req is shown there. */
  cpuUncounted?: Partial<Record<PeerAbility, string>>
  launch: (input: PeerInput) => PeerLaunch
}

/** A server that must not grow past one core: Go's scheduler (Caddy, the Go peer). */
export function oneCoreGo (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, GOMAXPROCS: '1' }
}

export function certificateOf (input: PeerInput): { cert: string, key: string } {
  if (input.ctx.certificate === undefined) throw new Error(`${input.executable} over TLS needs the bench certificate`)
  return input.ctx.certificate
}

export function simple (input: PeerInput, args: string[], env: NodeJS.ProcessEnv = input.ctx.env): PeerLaunch {
  return { command: { command: input.executable, args, env, cwd: input.ctx.root }, files: [], folders: [] }
}
