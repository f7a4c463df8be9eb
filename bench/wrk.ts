// The wrk side of the load generator, pure: which scenarios it runs, its command
// line, the Lua script that sets the request and prints one JSON line at the end,
// and that line read back into a LoadSummary. bench/load-wrk.ts runs it.
import type { ProbeRequest } from './probe.js'
import type { LoadSummary } from './stats.js'

/**
 * What loads a scenario: wrk (C, one thread), autocannon 9 (a Node child process),
 * or bench/load-tls.ts (Node's TLS client, a new resumed connection per request).
 */
export type LoadGenerator = 'wrk' | 'autocannon' | 'node-tls'

/** The generator asked for: `--load-generator`, else wrk when installed. */
export type LoadGeneratorChoice = 'wrk' | 'autocannon'

/** What `JSON_MARK` prefixes in wrk's output: the line the Lua `done` prints. */
export const JSON_MARK = 'servekit-bench-wrk '

/**
 * The generator for one scenario. wrk keeps connections alive, sends any method,
 * headers and body, reconnects after `Connection: close` (HTTP/1.0 servers) and
 * does HTTPS; it does not resume TLS sessions, so new TLS connections per request
 * stay with Node's client. A scenario's `notForWrk` keeps it on autocannon (the
 * 64 MiB GET, where wrk's 8 KiB reads are the limit).
 */
export function loadGeneratorFor (scenario: { newConnections?: boolean, notForWrk?: string }, choice: LoadGeneratorChoice): LoadGenerator {
  if (scenario.newConnections === true) return 'node-tls'
  return scenario.notForWrk === undefined ? choice : 'autocannon'
}

/**
 * A Lua string literal for any bytes: printable ASCII as is, the rest as decimal
 * escapes of three digits (`\34` then `2` would read as `\342`).
 */
export function luaString (text: string): string {
  let out = '"'
  for (const byte of Buffer.from(text, 'utf8')) {
    const printable = byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c
    out += printable ? String.fromCharCode(byte) : `\\${String(byte).padStart(3, '0')}`
  }
  return `${out}"`
}

/**
 * The script: the request (wrk builds it once, adding Content-Length to a body),
 * and a `done` that prints the totals and the latency percentiles in µs as one
 * JSON line. No `response` function: with one, wrk copies every body into Lua.
 */
export function wrkScript (request: Pick<ProbeRequest, 'method' | 'headers' | 'body' | 'bodySize'>, host: string): string {
  // `Host` spelled so: wrk 4.1.0 adds its own unless `wrk.headers["Host"]` is set,
  // and a second `host` makes nginx, Apache, Caddy and Go answer 400.
  const headers = { Host: host, ...Object.fromEntries(Object.entries(request.headers ?? {}).filter(([name]) => name.toLowerCase() !== 'host')) }
  const lines = [
    `wrk.method = ${luaString(request.method)}`,
    ...Object.entries(headers).map(([name, value]) => `wrk.headers[${luaString(name)}] = ${luaString(value)}`)
  ]
  if (request.bodySize !== undefined) lines.push(`wrk.body = string.rep("x", ${request.bodySize})`)
  else if (request.body !== undefined) lines.push(`wrk.body = ${luaString(request.body)}`)
  lines.push(
    'function done(summary, latency, requests)',
    '  local e = summary.errors',
    `  io.write(string.format('${JSON_MARK}{"requests":%.0f,"durationUs":%.0f,"bytes":%.0f,"connect":%.0f,"read":%.0f,"write":%.0f,"status":%.0f,"timeout":%.0f,"p50Us":%.0f,"p99Us":%.0f,"maxUs":%.0f}\\n',`,
    '    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,',
    '    latency:percentile(50), latency:percentile(99), latency.max))',
    'end',
    ''
  )
  return lines.join('\n')
}

/** A request slower than this counts as a timeout: autocannon's default. */
export const TIMEOUT_S = 10

export interface WrkRun {
  url: string
  connections: number
  durationS: number
  script: string
}

/**
 * wrk takes whole seconds: a fractional duration runs for the next whole second,
 * and bench/load-wrk.ts stops it with SIGINT at the asked time (wrk then reports
 * as at its end, within its 100 ms tick, as autocannon's 100 ms samples do).
 */
export function wrkArgs (run: WrkRun): string[] {
  return ['-t', '1', '-c', String(run.connections), '-d', `${Math.max(1, Math.ceil(run.durationS))}s`, '--timeout', `${TIMEOUT_S}s`, '-s', run.script, run.url]
}

/** Milliseconds after which to send SIGINT, or undefined when `-d` is exact. */
export function interruptAfterMs (durationS: number): number | undefined {
  return Number.isInteger(durationS) && durationS >= 1 ? undefined : Math.round(durationS * 1000)
}

interface WrkTotals {
  requests: number
  durationUs: number
  bytes: number
  connect: number
  read: number
  write: number
  status: number
  timeout: number
  p50Us: number
  p99Us: number
  maxUs: number
}

const FIELDS: readonly (keyof WrkTotals)[] = ['requests', 'durationUs', 'bytes', 'connect', 'read', 'write', 'status', 'timeout', 'p50Us', 'p99Us', 'maxUs']

/**
 * The summary from wrk's stdout (its own text report, then the script's line).
 * wrk counts every complete response, and as `errors.status` those above 399:
 * those are taken out of `requests` (a 3xx cannot be told apart without a Lua
 * `response` function, which would copy every body). `bytes` is every byte read,
 * headers included. Timeouts are responses slower than TIMEOUT_S.
 */
export function parseWrkOutput (stdout: string): LoadSummary {
  const line = stdout.split('\n').reverse().find((text) => text.startsWith(JSON_MARK))
  if (line === undefined) throw new Error('wrk printed no summary line')
  const parsed = JSON.parse(line.slice(JSON_MARK.length)) as Partial<Record<keyof WrkTotals, unknown>>
  for (const field of FIELDS) {
    if (typeof parsed[field] !== 'number' || !Number.isFinite(parsed[field])) throw new Error(`wrk summary lacks ${field}: ${line}`)
  }
  const totals = parsed as WrkTotals
  const requests = Math.max(0, totals.requests - totals.status)
  const durationS = totals.durationUs / 1e6
  return {
    requests,
    durationS,
    rps: durationS > 0 ? requests / durationS : 0,
    bytes: totals.bytes,
    mbps: durationS > 0 ? totals.bytes / durationS / 1e6 : 0,
    p50Ms: totals.p50Us / 1000,
    p99Ms: totals.p99Us / 1000,
    errors: totals.connect + totals.read + totals.write,
    timeouts: totals.timeout,
    non2xx: totals.status,
    statuses: { '2xx-3xx': requests, ...(totals.status > 0 ? { '4xx-5xx': totals.status } : {}) }
  }
}

/** `wrk -v`'s first line, e.g. `wrk debian/4.1.0-3+b2 [epoll] Copyright ...`, down to `wrk debian/4.1.0-3+b2`. */
export function wrkVersion (text: string): string | undefined {
  return /^wrk (\S+)/m.exec(text)?.[0]
}
