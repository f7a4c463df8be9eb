// `npm run bench`: fixtures, then every scenario against servekit, Python and the
// baselines one after the other, then the tables, the targets and a JSON file.
import { execFile } from 'node:child_process'
import { chmod, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { delimiter, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { benchHelp, BenchUsageError, parseBenchArgs, selectScenarios } from './args.js'
import { findExecutable, findPython, servekitFlags, type PythonFound } from './capabilities.js'
import { makeCertificate } from './certificate.js'
import { BENCH_SPEC, specFor } from './fixture-spec.js'
import { generateFixtures } from './fixtures.js'
import { findPeers, installPeers } from './peer-setup.js'
import { pinCpus } from './pinning.js'
import type { BenchReport, ScenarioResult } from './report.js'
import { runColdStart, runLoadScenario, say, type Environment } from './scenario-runner.js'
import { SCENARIOS } from './scenarios.js'
import { formatReport } from './table.js'
import { evaluateTargets } from './targets.js'
import { wrkVersion, type LoadGeneratorChoice } from './wrk.js'

const run = promisify(execFile)

/** wrk where asked for or, unasked, where installed; else autocannon. */
async function chooseLoadGenerator (asked: LoadGeneratorChoice | undefined): Promise<{ choice: LoadGeneratorChoice, wrk?: string, version?: string }> {
  if (asked === 'autocannon') return { choice: 'autocannon' }
  const wrk = await findExecutable('wrk')
  if (wrk === undefined) {
    if (asked === 'wrk') throw new BenchUsageError('--load-generator wrk: wrk not found on PATH (Debian package wrk)')
    return { choice: 'autocannon' }
  }
  // `wrk -v` prints its version, then its usage, and exits 1.
  const output = await run(wrk, ['-v']).then(({ stdout }) => stdout, (error: { stdout?: string }) => error.stdout ?? '')
  return { choice: 'wrk', wrk, version: wrkVersion(output) ?? 'wrk' }
}

const here = dirname(fileURLToPath(import.meta.url))
const repo = resolve(here, '..', '..')

/**
 * An environment whose PATH starts with a folder holding `python3`, linked to the
 * interpreter Python's CGI handler would reach anyway, so hello.py runs the same
 * interpreter under every server (and never a version manager's slow shim).
 */
async function cgiPath (python: PythonFound, tools: string): Promise<NodeJS.ProcessEnv> {
  const bin = join(tools, 'bin')
  await mkdir(bin)
  await symlink(python.cgiInterpreter, join(bin, 'python3'))
  return { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` }
}

async function main (argv: string[]): Promise<void> {
  const options = parseBenchArgs(argv)
  if (options.help) {
    process.stdout.write(benchHelp(SCENARIOS.map(({ id }) => id)))
    return
  }
  if (options.list) {
    process.stdout.write(SCENARIOS.map(({ id, title }) => `${id.padEnd(16)}${title}\n`).join(''))
    return
  }
  if (options.installPeers) {
    await installPeers(say)
    if (!options.peers) return
  }
  const scenarios = selectScenarios(SCENARIOS, options.only)
  const startedAt = new Date()
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-')
  // Before pinning, which narrows what this process may use.
  const cpus = availableParallelism()

  // The command as installed: the bundle (scripts/bundle-cli.mjs) that `npm run build` makes.
  const cli = resolve(options.servekit ?? join(repo, 'dist', 'cli', 'servekit.js'))
  const flags = await servekitFlags(process.execPath, cli)
  const python = await findPython()
  const pins = await pinCpus(options.pin)
  const generator = await chooseLoadGenerator(options.loadGenerator)
  const peers = options.peers ? await findPeers(join(repo, 'bench', 'servers', 'go-peer.go'), say) : new Map()

  const dir = await mkdtemp(join(tmpdir(), 'servekit-bench-'))
  // Python's CGI handler drops to `nobody` before running a script when started as
  // root; mkdtemp's 0700 would then make every script fail with EACCES.
  await chmod(dir, 0o755)
  const logs = join(dir, 'logs')
  await mkdir(logs)
  say(`fixtures in ${dir} ...`)
  const spec = specFor(BENCH_SPEC, scenarios.map(({ request }) => request.path.split('?')[0]!))
  const { root, tools } = await generateFixtures(dir, spec, join(repo, 'bench', 'assets'))
  const openssl = scenarios.some((s) => s.kind === 'load' && s.tls) ? await findExecutable('openssl') : undefined
  const certificate = openssl === undefined ? undefined : await makeCertificate(openssl, tools)
  const cpuProfDir = options.cpuProfDir === undefined ? undefined : resolve(options.cpuProfDir)
  if (cpuProfDir !== undefined) await mkdir(cpuProfDir, { recursive: true })

  const env: Environment = {
    ctx: {
      node: process.execPath,
      cli,
      baselines: join(here, 'servers'),
      python: python?.path ?? 'python3',
      root,
      tools,
      configHome: join(dir, 'config'),
      certificate,
      servekitFlags: flags,
      cpuProfDir,
      env: python === undefined ? process.env : await cgiPath(python, tools)
    },
    settings: { server: pins.server, load: pins.load, durationS: options.durationS, warmupS: options.warmupS, connections: options.connections, logs, loadGenerator: generator.choice, wrk: generator.wrk },
    options,
    hasPython: python !== undefined,
    peers,
    logs,
    stamp
  }
  say(`load generator: ${generator.choice === 'wrk' ? `${generator.version ?? 'wrk'}, 1 thread, where it can (the report says per scenario)` : 'autocannon'}`)
  say(`pinning: ${pins.description}; ${options.warmupS} s warm-up + ${options.durationS} s per server${options.rounds > 1 ? `, ${options.rounds} rounds` : ''}`)

  const results: ScenarioResult[] = []
  try {
    for (const scenario of scenarios) {
      say(`${scenario.id}: ${scenario.title}`)
      results.push(scenario.kind === 'load' ? await runLoadScenario(scenario, env) : await runColdStart(scenario, env))
    }
  } finally {
    if (options.keepFixtures) say(`fixtures and server logs kept in ${dir}`)
    else await rm(dir, { recursive: true, force: true })
  }

  const report: BenchReport = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: ['npm run bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' '),
    machine: {
      cpus,
      loadAverage: loadavg(),
      node: process.version,
      python: python?.version,
      platform: `${process.platform} ${process.arch}`,
      pinning: pins.description
    },
    settings: { durationS: options.durationS, warmupS: options.warmupS, coldStarts: options.coldStarts, rounds: options.rounds, quick: options.quick, loadGenerator: generator.choice, ...(generator.version === undefined ? {} : { wrk: generator.version }) },
    scenarios: results,
    targets: evaluateTargets(results)
  }
  const out = resolve(options.out ?? join(repo, 'bench', 'results', `${stamp}.json`))
  await mkdir(dirname(out), { recursive: true })
  await writeFile(out, JSON.stringify(report, null, 2) + '\n')

  const lines = ['', formatReport(report), `result file: ${out}`]
  if (cpuProfDir !== undefined) {
    const profiles = (await readdir(cpuProfDir)).filter((name) => name.endsWith(`${stamp}.cpuprofile`))
    lines.push(`CPU profiles of servekit (${profiles.length}) in ${cpuProfDir}: open them in Chrome DevTools or speedscope`)
  }
  process.stdout.write(lines.join('\n') + '\n')
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof BenchUsageError) {
    process.stderr.write(`bench: ${error.message} (see npm run bench -- --help)\n`)
    process.exit(2)
  }
  process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`)
  process.exit(1)
})
