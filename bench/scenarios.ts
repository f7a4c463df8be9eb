// The scenarios of issue 7: what each one requests, from whom, and what a correct
// answer looks like (a server answering 404 fast must not win).
import { BENCH_SPEC, FIXTURES, entryName } from './fixture-spec.js'
import type { ProbeRequest, ProbeResponse } from './probe.js'

/** The servekit flags a scenario needs; missing from `--help`, the scenario is skipped. */
export type Feature = 'cgi' | 'echo' | 'tls' | 'archive' | 'upload' | 'overwrite'
/** How Python takes part: `python3 -m http.server` (with `--cgi`), the tutorial's webapp.py, or its TLS-wrapped server. */
export type PythonKind = 'static' | 'cgi' | 'webapp' | 'tls'
/** Bare Fastify servers doing the same work as a servekit feature, for "how close to the floor" ratios. */
export type Baseline = 'fastify-echo' | 'fastify-spawn' | 'fastify-addon-spawn'
/** Other servers measured with --peers, where installed (bench/peers/). */
export type Peer = 'http-server' | 'serve' | 'sirv' | 'fastify-static' | 'nginx' | 'lighttpd' | 'caddy' | 'apache' | 'go'
/** What a peer must be able to do to take part in a scenario: files, HTML folder listings, CGI, HTTPS. */
export type PeerAbility = 'static' | 'listing' | 'cgi' | 'tls'
export type ServerKind = 'servekit' | 'python' | Baseline | Peer
/** What decides a scenario: requests per second, or MB/s for big files. */
export type Metric = 'rps' | 'mbps'

export interface LoadScenario {
  kind: 'load'
  id: string
  title: string
  /** One line for the README: what the number tells. */
  measures: string
  metric: Metric
  request: ProbeRequest
  connections: number
  /**
   * Seconds the measured window lasts at least, whatever --duration says: autocannon
   * counts a response only once it completes, so slow responses need a longer window.
   */
  minDurationS?: number
  tls: boolean
  features: Feature[]
  python: PythonKind
  /** What Python runs when it cannot do the same thing; completes "Python runs ...". */
  pythonNote?: string
  baseline?: Baseline
  /** A second baseline, measured only where it can run (the addon prototype, once built). */
  alsoBaseline?: Baseline
  /** With --peers, the peers able to do this take part (the others are noted absent); undefined: none. */
  peers: PeerAbility | undefined
  /**
   * Every request on a new connection (TLS, resuming the previous connection's
   * session) from the load generator's own client instead of autocannon.
   */
  newConnections?: boolean
  /** Why wrk would measure itself here, so autocannon loads this scenario even where wrk is installed. */
  notForWrk?: string
  /** Why this answer is not the one measured, or undefined when it is right. */
  check: (response: ProbeResponse, server: ServerKind) => string | undefined
}

export interface ColdStartScenario {
  kind: 'cold-start'
  id: string
  title: string
  measures: string
  request: ProbeRequest
}

export type Scenario = LoadScenario | ColdStartScenario

function sizeOf (path: string): number {
  const file = BENCH_SPEC.files.find((f) => f.path === path)
  if (file === undefined) throw new Error(`no fixture ${path}`)
  return file.size
}

function countOf (path: string): number {
  const folder = BENCH_SPEC.folders.find((f) => f.path === path)
  if (folder === undefined) throw new Error(`no fixture ${path}`)
  return folder.count
}

function status200 (response: ProbeResponse): string | undefined {
  return response.status === 200 ? undefined : `answered ${response.status}, not 200`
}

function wholeFile (size: number) {
  return (response: ProbeResponse): string | undefined =>
    status200(response) ?? (response.size === size ? undefined : `sent ${response.size} bytes, not ${size}`)
}

function containing (text: string) {
  return (response: ProbeResponse): string | undefined =>
    status200(response) ?? (response.text.includes(text) ? undefined : `answer lacks ${JSON.stringify(text)}`)
}

function htmlListing (folder: string) {
  const count = countOf(folder)
  return containing(entryName(count - 1, count))
}

function jsonListing (folder: string) {
  const count = countOf(folder)
  const html = htmlListing(folder)
  return (response: ProbeResponse, server: ServerKind): string | undefined => {
    if (server !== 'servekit') return html(response)
    const failed = status200(response)
    if (failed !== undefined) return failed
    try {
      const { entries } = JSON.parse(response.text) as { entries: unknown[] }
      return entries.length === count ? undefined : `listed ${entries.length} entries, not ${count}`
    } catch {
      return 'answer is not a JSON listing'
    }
  }
}

function echoed (response: ProbeResponse): string | undefined {
  const failed = status200(response)
  if (failed !== undefined) return failed
  try {
    const body = JSON.parse(response.text) as Record<string, Record<string, unknown> | undefined>
    const right = body.query_data?.lang === 'en' && body.form_data?.username === 'jdoe' && body.cookies?.session === 'd7f2cf106764'
    return right ? undefined : 'echo lacks the query, form or cookie values sent'
  } catch {
    return 'answer is not JSON'
  }
}

const get = (path: string): ProbeRequest => ({ method: 'GET', path: `/${path}` })

/** What a browser sends; servekit answers br. */
export const ACCEPT_COMPRESSED = { 'accept-encoding': 'br, gzip' }
/** The size of the 100 KiB JavaScript asset. */
const APP_BYTES = 100 * 1024

/**
 * A compressed answer from servekit (br, smaller than `identity` bytes); other servers
 * may answer compressed or not, and are checked by `plain` when they do not.
 */
function compressedBy (identity: number, plain: (response: ProbeResponse, server: ServerKind) => string | undefined) {
  return (response: ProbeResponse, server: ServerKind): string | undefined => {
    const failed = status200(response)
    if (failed !== undefined) return failed
    const coding = response.headers['content-encoding']
    if (server === 'servekit') {
      if (coding !== 'br') return `answered in ${String(coding ?? 'identity')}, not br`
      return response.size < identity ? undefined : `sent ${response.size} bytes compressed, not fewer than ${identity}`
    }
    return coding === undefined ? plain(response, server) : undefined
  }
}

function compressedListing (folder: string): LoadScenario {
  const base = listing('1k', folder, 'html')
  return {
    ...base,
    id: 'list-1k-html-br',
    title: `${base.title}, compressed`,
    measures: `${base.measures}, asked for with \`Accept-Encoding: br, gzip\`: bytes on the wire and the CPU of a kept compressed page`,
    request: { ...base.request, headers: ACCEPT_COMPRESSED },
    pythonNote: 'its HTML listing, uncompressed (it cannot compress)',
    // A 1,000-entry page is about 170 KB as it is.
    check: compressedBy(100_000, base.check)
  }
}

function listing (count: string, folder: string, format: 'html' | 'json'): LoadScenario {
  const json = format === 'json'
  const large = countOf(folder) >= 10_000
  return {
    kind: 'load',
    id: `list-${count}-${format}`,
    title: `listing of ${countOf(folder).toLocaleString('en-US')} entries, ${format.toUpperCase()}`,
    measures: `a folder of ${countOf(folder).toLocaleString('en-US')} files listed as ${json ? 'JSON (`?format=json`)' : 'HTML'} on every request`,
    metric: 'rps',
    request: get(`${folder}/${json ? '?format=json' : ''}`),
    connections: large ? 2 : 10,
    ...(large ? { minDurationS: 2 } : {}),
    tls: false,
    features: [],
    python: 'static',
    ...(json ? { pythonNote: 'its HTML listing (it has no JSON one)' } : {}),
    peers: json ? undefined : 'listing',
    check: json ? jsonListing(folder) : htmlListing(folder)
  }
}

export const ECHO_REQUEST: ProbeRequest = {
  method: 'POST',
  path: '/echo/login?failed=true&lang=en',
  headers: {
    'content-type': 'application/x-www-form-urlencoded',
    cookie: 'session=d7f2cf106764;eu_cookie_consent=true'
  },
  body: 'username=jdoe&password=s3cret'
}

export const SCENARIOS: readonly Scenario[] = [
  {
    kind: 'load',
    id: 'get-1k',
    title: 'GET 1 KiB file',
    measures: 'per-request overhead of static serving: path resolution, stat, headers',
    metric: 'rps',
    request: get(FIXTURES.file1k),
    connections: 50,
    tls: false,
    features: [],
    python: 'static',
    peers: 'static',
    check: wholeFile(sizeOf(FIXTURES.file1k))
  },
  {
    kind: 'load',
    id: 'get-100k',
    title: 'GET 100 KiB file',
    measures: 'a typical asset: overhead plus streaming a file that fits a few socket writes',
    metric: 'rps',
    request: get(FIXTURES.file100k),
    connections: 50,
    tls: false,
    features: [],
    python: 'static',
    peers: 'static',
    check: wholeFile(sizeOf(FIXTURES.file100k))
  },
  {
    kind: 'load',
    id: 'get-64m',
    title: 'GET 64 MiB file',
    measures: 'streaming throughput (MB/s) and whether memory stays flat under it (RSS growth)',
    metric: 'mbps',
    request: get(FIXTURES.file64m),
    connections: 4,
    minDurationS: 2,
    tls: false,
    features: [],
    python: 'static',
    peers: 'static',
    notForWrk: 'wrk reads 8 KiB per system call (and asks FIONREAD before the next): 348 MB/s from servekit against autocannon\'s 1,032 in a back-to-back check, so autocannon loads it',
    check: wholeFile(sizeOf(FIXTURES.file64m))
  },
  {
    kind: 'load',
    id: 'get-100k-js',
    title: 'GET 100 KiB JavaScript',
    measures: 'a JavaScript bundle asked for without Accept-Encoding: the uncompressed cost the compressed scenario is held to',
    metric: 'rps',
    request: get(FIXTURES.app100k),
    connections: 50,
    tls: false,
    features: [],
    python: 'static',
    peers: 'static',
    check: wholeFile(APP_BYTES)
  },
  {
    kind: 'load',
    id: 'get-100k-js-br',
    title: 'GET 100 KiB JavaScript, compressed',
    measures: 'the same bundle with `Accept-Encoding: br, gzip`: bytes on the wire (B/resp) and CPU per request of a compressed answer kept by the cache',
    metric: 'rps',
    request: { ...get(FIXTURES.app100k), headers: ACCEPT_COMPRESSED },
    connections: 50,
    tls: false,
    features: [],
    python: 'static',
    pythonNote: 'the file uncompressed (it cannot compress)',
    peers: 'static',
    check: compressedBy(APP_BYTES, wholeFile(APP_BYTES))
  },
  listing('1k', FIXTURES.list1k, 'html'),
  compressedListing(FIXTURES.list1k),
  {
    kind: 'load',
    id: 'upload-64m',
    title: 'PUT 64 MiB upload',
    measures: '`curl -T` of a 64 MiB file with `--upload --overwrite`: req/s × 64 MiB is the upload rate, CPU µs/req ÷ 64 the CPU per MiB',
    metric: 'rps',
    request: { method: 'PUT', path: '/upload-64m.bin', headers: { 'content-type': 'application/octet-stream' }, bodySize: 64 * 1024 * 1024 },
    connections: 1,
    minDurationS: 3,
    tls: false,
    features: ['upload', 'overwrite'],
    python: 'static',
    pythonNote: 'nothing: it takes no uploads (PUT is 501), so servekit stands alone',
    peers: undefined,
    check: (response, server) => server !== 'servekit' || response.status === 201 ? undefined : `answered ${response.status}, not 201`
  },
  {
    kind: 'load',
    id: 'archive-1k',
    title: 'zip of a 1,000-file folder',
    measures: '`?download=zip` of the 1,000-file folder, built on the fly: MB/s of zip and CPU per download (divide by B/resp for CPU per MB)',
    metric: 'mbps',
    request: get(`${FIXTURES.list1k}/?download=zip`),
    connections: 2,
    minDurationS: 2,
    tls: false,
    features: ['archive'],
    python: 'static',
    pythonNote: 'its HTML listing of the folder (it has no folder download)',
    peers: undefined,
    check: (response, server) => {
      if (server !== 'servekit') return htmlListing(FIXTURES.list1k)(response)
      return status200(response) ?? (response.headers['content-type'] === 'application/zip' ? undefined : `answered ${String(response.headers['content-type'])}, not a zip`)
    }
  },
  listing('1k', FIXTURES.list1k, 'json'),
  listing('10k', FIXTURES.list10k, 'html'),
  listing('10k', FIXTURES.list10k, 'json'),
  {
    kind: 'load',
    id: 'cgi-sh',
    title: 'CGI hello.sh',
    measures: 'CGI overhead: one process per request running a one-line sh script',
    metric: 'rps',
    request: get(FIXTURES.helloSh),
    connections: 10,
    tls: false,
    features: ['cgi'],
    python: 'cgi',
    baseline: 'fastify-spawn',
    // The bare route with servekit-spawn (packages/spawn) where it is built: what the accelerator alone costs.
    alsoBaseline: 'fastify-addon-spawn',
    peers: 'cgi',
    check: containing('Hello, World!')
  },
  {
    kind: 'load',
    id: 'cgi-py',
    title: 'CGI hello.py (tutorial)',
    measures: "the tutorial's CGI script: dominated by Python's interpreter start-up in both servers",
    metric: 'rps',
    request: { method: 'GET', path: `/${FIXTURES.helloPy}`, headers: { cookie: 'visits=3' } },
    connections: 4,
    minDurationS: 2,
    tls: false,
    features: ['cgi'],
    python: 'cgi',
    peers: 'cgi',
    check: containing('Hello from a CGI Script')
  },
  {
    kind: 'load',
    id: 'echo',
    title: 'echo POST form + cookies',
    measures: "the tutorial's login POST to /echo/login: query, form body and cookies parsed and echoed as JSON",
    metric: 'rps',
    request: ECHO_REQUEST,
    connections: 50,
    tls: false,
    features: ['echo'],
    python: 'webapp',
    pythonNote: "the tutorial's webapp.py (single-threaded HTTPServer, plus Content-Length)",
    baseline: 'fastify-echo',
    peers: undefined,
    check: echoed
  },
  {
    kind: 'load',
    id: 'https-1k',
    title: 'HTTPS GET 1 KiB, keep-alive',
    measures: 'TLS cost on small responses over kept-alive connections',
    metric: 'rps',
    request: get(FIXTURES.file1k),
    connections: 50,
    tls: true,
    features: ['tls'],
    python: 'tls',
    pythonNote: "the tutorial's secure_server.py (HTTP/1.0, so a TLS handshake per request)",
    peers: 'tls',
    check: wholeFile(sizeOf(FIXTURES.file1k))
  },
  {
    kind: 'load',
    id: 'https-new-conn',
    title: 'HTTPS GET 1 KiB, new connection each',
    measures: 'a TLS handshake per request, each client connection resuming the session of the one before (tickets): CPU µs/req is the figure to compare, as req/s is capped near 700 by the Node TLS client (about 1.4 ms of its CPU per connection); the notes say how many resumed',
    metric: 'rps',
    request: get(FIXTURES.file1k),
    connections: 8,
    tls: true,
    newConnections: true,
    features: ['tls'],
    python: 'tls',
    pythonNote: "the tutorial's secure_server.py",
    peers: 'tls',
    check: wholeFile(sizeOf(FIXTURES.file1k))
  },
  {
    kind: 'cold-start',
    id: 'cold-start',
    title: 'cold start to first response',
    measures: 'time from spawning the server to the first 200 on a 1 KiB file (median of several starts)',
    request: get(FIXTURES.file1k)
  }
]
