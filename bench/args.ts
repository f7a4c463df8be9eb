// The bench's own command line (`npm run bench -- [options]`). Pure: argv in,
// options out, so tests call it directly; bench/run.ts only reports.
import { parseArgs } from 'node:util'
import type { LoadGeneratorChoice } from './wrk.js'

export interface BenchOptions {
  /** A smoke run under a minute: short loads, few cold starts. */
  quick: boolean
  /** Scenario ids or id prefixes (`list` runs every listing); empty: all. */
  only: string[]
  /** Also measure the peers (bench/peers/) where installed. */
  peers: boolean
  /** Install the missing peers from Debian and npm first (then run only with --peers). */
  installPeers: boolean
  /** Add a servekit run with `--log-level info` to each scenario: the cost of request logging. */
  logInfo: boolean
  /** Measure servekit alone: no Python, no baselines, no ratios (for a profiling loop). */
  servekitOnly: boolean
  /** Pin the servers and the load generator to separate CPUs with taskset. */
  pin: boolean
  /** Folder for V8 CPU profiles of the servekit process (`node --cpu-prof`). */
  cpuProfDir: string | undefined
  /** Seconds of measured load per server. */
  durationS: number
  /** Seconds of unmeasured load first, so both runtimes are warm. */
  warmupS: number
  /** Overrides every scenario's connection count. */
  connections: number | undefined
  /** `--load-generator`: wrk or autocannon; undefined: wrk when installed, else autocannon. */
  loadGenerator: LoadGeneratorChoice | undefined
  /** How many times each server is started for the cold-start median. */
  coldStarts: number
  /** Load runs per server and scenario, servers taking turns; the median run is reported. */
  rounds: number
  /** The servekit CLI to measure, e.g. another checkout's dist/cli/servekit.js; default: this one's. */
  servekit: string | undefined
  /** Another servekit CLI measured beside it in every scenario, as `servekit-before`: a before/after in one run. */
  before: string | undefined
  /** Where the JSON result goes; default under bench/results/. */
  out: string | undefined
  /** Leave the generated fixture folder in place and print its path. */
  keepFixtures: boolean
  list: boolean
  help: boolean
}

export class BenchUsageError extends Error {
  override name = 'BenchUsageError'
}

const FLAGS = {
  quick: { type: 'boolean' },
  only: { type: 'string', multiple: true },
  peers: { type: 'boolean' },
  'install-peers': { type: 'boolean' },
  'log-info': { type: 'boolean' },
  'servekit-only': { type: 'boolean' },
  'no-pin': { type: 'boolean' },
  'cpu-prof': { type: 'string' },
  duration: { type: 'string' },
  warmup: { type: 'string' },
  connections: { type: 'string' },
  'load-generator': { type: 'string' },
  'cold-starts': { type: 'string' },
  rounds: { type: 'string' },
  servekit: { type: 'string' },
  before: { type: 'string' },
  out: { type: 'string' },
  'keep-fixtures': { type: 'boolean' },
  list: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' }
} as const

export const FULL = { durationS: 10, warmupS: 3, coldStarts: 7, rounds: 1 } as const
export const QUICK = { durationS: 1, warmupS: 0.25, coldStarts: 3, rounds: 1 } as const

function number (flag: string, text: string | undefined, min: number, integer: boolean): number | undefined {
  if (text === undefined) return undefined
  const value = Number(text)
  if (text.trim() === '' || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new BenchUsageError(`--${flag} must be ${integer ? 'a whole number' : 'a number'} of at least ${min} (got ${JSON.stringify(text)})`)
  }
  return value
}

function loadGenerator (text: string | undefined): LoadGeneratorChoice | undefined {
  if (text === undefined || text === 'wrk' || text === 'autocannon') return text
  throw new BenchUsageError(`--load-generator must be wrk or autocannon (got ${JSON.stringify(text)})`)
}

export function parseBenchArgs (argv: readonly string[]): BenchOptions {
  let values
  try {
    ({ values } = parseArgs({ args: [...argv], options: FLAGS, allowPositionals: false, strict: true }))
  } catch (error) {
    throw new BenchUsageError((error as Error).message)
  }
  const preset = values.quick === true ? QUICK : FULL
  return {
    quick: values.quick === true,
    only: (values.only ?? []).flatMap((item) => item.split(',')).map((id) => id.trim()).filter((id) => id !== ''),
    peers: values.peers === true,
    installPeers: values['install-peers'] === true,
    logInfo: values['log-info'] === true,
    servekitOnly: values['servekit-only'] === true,
    pin: values['no-pin'] !== true,
    cpuProfDir: values['cpu-prof'],
    durationS: number('duration', values.duration, 0.5, false) ?? preset.durationS,
    warmupS: number('warmup', values.warmup, 0, false) ?? preset.warmupS,
    connections: number('connections', values.connections, 1, true),
    loadGenerator: loadGenerator(values['load-generator']),
    coldStarts: number('cold-starts', values['cold-starts'], 1, true) ?? preset.coldStarts,
    rounds: number('rounds', values.rounds, 1, true) ?? preset.rounds,
    servekit: values.servekit,
    before: values.before,
    out: values.out,
    keepFixtures: values['keep-fixtures'] === true,
    list: values.list === true,
    help: values.help === true
  }
}

/**
 * Picks scenarios by id, or, for a token that is no id, by prefix up to a dash
 * (`list` → `list-1k-html`, ...): `get-100k` is that scenario alone, not also
 * `get-100k-js`. A token that matches nothing is an error naming the ids that exist.
 */
export function selectScenarios<T extends { id: string }> (all: readonly T[], only: readonly string[]): T[] {
  if (only.length === 0) return [...all]
  const ids = new Set(all.map(({ id }) => id))
  const matches = (id: string, token: string): boolean => id === token || (!ids.has(token) && id.startsWith(`${token}-`))
  for (const token of only) {
    if (!all.some(({ id }) => matches(id, token))) {
      throw new BenchUsageError(`no scenario matches ${JSON.stringify(token)}; scenarios: ${all.map(({ id }) => id).join(', ')}`)
    }
  }
  return all.filter(({ id }) => only.some((token) => matches(id, token)))
}

export function benchHelp (ids: readonly string[]): string {
  return `Usage: npm run bench -- [options]

Benchmarks servekit against Python's http.server (and, with --peers, other servers
where installed) on loopback, and prints ratios measured in the same run.

Options:
  --quick               smoke run under a minute (${QUICK.durationS} s per server, ${QUICK.coldStarts} cold starts)
  --only ID[,ID...]     run these scenarios; a prefix that is no id picks a group (e.g. list, cgi)
  --peers               also measure, where installed, each one pinned to one core:
                        http-server 14, serve 14, sirv-cli 3, Fastify with @fastify/static,
                        nginx, lighttpd, Caddy, Apache (event MPM), Go net/http
                        (bench/servers/go-peer.go, built with go build and cached)
  --install-peers       install the missing peers (apt-get: nginx-light lighttpd
                        lighttpd-mod-openssl caddy golang-go apache2; npm: http-server@14
                        serve@14 sirv-cli@3, globally as root), printing
                        each command; installed ones are left alone. Exits after,
                        unless --peers is given too
  --log-info            add a servekit run with --log-level info (the cost of request logs)
  --servekit-only       skip Python and the baselines (no ratios): for profiling loops
  --cpu-prof DIR        run servekit with --cpu-prof --cpu-prof-dir=DIR
  --duration S          seconds of measured load per server (default ${FULL.durationS})
  --warmup S            seconds of unmeasured load before it (default ${FULL.warmupS})
  --connections N       connections for every scenario (default: per scenario)
  --load-generator G    wrk (one thread, on the load generator's CPU) or autocannon
                        (Node); default wrk when installed. https-new-conn always
                        uses Node's TLS client, get-64m autocannon (wrk's 8 KiB reads
                        would be its limit)
  --cold-starts N       starts per server for the cold-start median (default ${FULL.coldStarts})
  --rounds N            load runs per server, servers taking turns; the median run counts
                        (default ${FULL.rounds}; 3 steadies the ratios on a noisy machine)
  --no-pin              do not pin server and load generator to separate CPUs
  --servekit FILE       measure this servekit CLI (default: this checkout's dist/cli/servekit.js)
  --before FILE         also measure this servekit CLI (e.g. an older build), as servekit-before,
                        taking turns with the others: before and after in one run
  --out FILE            write the JSON result here (default: bench/results/<time>.json)
  --keep-fixtures       keep the generated fixture folder
  --list                print the scenario ids and exit
  -h, --help            show this help

Scenarios: ${ids.join(', ')}
`
}
