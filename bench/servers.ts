// The command line of every server under test, as data. Pure, so what the bench
// runs can be read and tested without starting anything. The peers' are in bench/peers/.
import { join } from 'node:path'
import { FIXTURES } from './fixture-spec.js'
import type { Baseline, Feature, PythonKind } from './scenarios.js'

export interface Command {
  command: string
  args: string[]
  env: NodeJS.ProcessEnv
  cwd: string
}

export interface ServerContext {
  node: string
  /** dist/cli/servekit.js */
  cli: string
  /** dist/bench/servers/, where the bare Fastify baselines are. */
  baselines: string
  python: string
  root: string
  tools: string
  /** XDG_CONFIG_HOME for servekit, so `--tls` caches its certificate in the temp folder, not in ~/.config. */
  configHome: string
  /** A certificate both servekit and Python use, when openssl could make one. */
  certificate: { cert: string, key: string } | undefined
  servekitFlags: Set<string>
  cpuProfDir: string | undefined
  env: NodeJS.ProcessEnv
}

export function missingFeatures (features: readonly Feature[], flags: Set<string>): Feature[] {
  return features.filter((feature) => !flags.has(feature))
}

function tlsFlags (ctx: ServerContext): string[] {
  if (ctx.certificate !== undefined && ctx.servekitFlags.has('tls-cert')) {
    return ['--tls-cert', ctx.certificate.cert, '--tls-key', ctx.certificate.key]
  }
  return ['--tls']
}

/** `profileName` names the --cpu-prof file after the scenario; without it servekit is not profiled. */
export function servekitCommand (ctx: ServerContext, port: number, logLevel: string, features: readonly Feature[] = [], profileName?: string): Command {
  const profile = ctx.cpuProfDir === undefined || profileName === undefined
    ? []
    : ['--cpu-prof', `--cpu-prof-dir=${ctx.cpuProfDir}`, `--cpu-prof-name=${profileName}.cpuprofile`]
  const flags = features.flatMap((feature) => feature === 'tls' ? tlsFlags(ctx) : [`--${feature}`])
  return {
    command: ctx.node,
    args: [...profile, ctx.cli, '-b', '127.0.0.1', '-d', ctx.root, '--log-level', logLevel, '--log-format', 'json', ...flags, String(port)],
    env: { ...ctx.env, XDG_CONFIG_HOME: ctx.configHome },
    cwd: ctx.root
  }
}

export function pythonCommand (ctx: ServerContext, kind: PythonKind, port: number): Command {
  const base = { command: ctx.python, env: ctx.env, cwd: ctx.root }
  switch (kind) {
    case 'static':
    case 'cgi':
      return { ...base, args: ['-m', 'http.server', ...(kind === 'cgi' ? ['--cgi'] : []), '-b', '127.0.0.1', '-d', ctx.root, String(port)] }
    case 'webapp':
      return { ...base, args: [join(ctx.tools, FIXTURES.webapp), String(port)] }
    case 'tls': {
      if (ctx.certificate === undefined) throw new Error('Python over TLS needs a certificate')
      const { cert, key } = ctx.certificate
      return { ...base, args: [join(ctx.tools, FIXTURES.secureServer), cert, key, ctx.root, String(port)] }
    }
  }
}

export function baselineCommand (ctx: ServerContext, baseline: Baseline, port: number): Command {
  const script = join(ctx.baselines, `${baseline}.js`)
  const args = baseline === 'fastify-spawn' || baseline === 'fastify-addon-spawn' ? [script, join(ctx.root, 'cgi-bin'), String(port)] : [script, String(port)]
  return { command: ctx.node, args, env: ctx.env, cwd: ctx.root }
}
