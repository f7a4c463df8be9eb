// Runs in its own process, pinned to the load generator's CPU: autocannon against
// one URL (or, for a new TLS connection per request, bench/load-tls.ts). With a warm-up it prints `warm` after it and waits for `go` on stdin
// (the harness waits for the server to go idle in between), so the measured run
// also gets a client already warm. Ends with one JSON summary line on stdout.
import { once } from 'node:events'
import autocannon from 'autocannon'
import { summarize, type LoadSummary } from './stats.js'
import type { LoadJob } from './load.js'
import { fireNewConnections } from './load-tls.js'
import { bodyOf } from './probe.js'

interface ClientInternals {
  pipelinedRequests: { addBody: (data: unknown) => void, clear: () => void }
  _connect: () => void
}

/**
 * Two fixes to autocannon 9's client, through its setupClient hook:
 * - It keeps every response body as a string (`body += chunk` in
 *   lib/pipelinedRequestsQueue.js) for body checks we do not use; on a 64 MiB
 *   file that caps the client near 50 MB/s, so the bench would measure
 *   autocannon. Dropped: status, bytes and timing are recorded elsewhere.
 * - Against a server that closes the connection after each response (Python's
 *   HTTP/1.0), it writes the next request into the closing socket, and that
 *   request's entry stays queued across the reconnect; each response is then
 *   timed from an ever older start (p50 in the hundreds of ms at a few ms of
 *   real latency). Clearing the queue on reconnect drops those lost requests.
 */
function adaptClient (client: autocannon.Client): void {
  const internals = client as unknown as Partial<ClientInternals>
  const queue = internals.pipelinedRequests
  const connect = internals._connect
  if (typeof queue?.addBody !== 'function' || typeof queue.clear !== 'function' || typeof connect !== 'function') {
    throw new Error('autocannon internals changed: pipelinedRequests or _connect is gone')
  }
  queue.addBody = () => {}
  internals._connect = function (this: ClientInternals) {
    this.pipelinedRequests.clear()
    connect.call(this)
  }
}

async function fire (job: LoadJob, durationS: number): Promise<autocannon.Result> {
  return await autocannon({
    url: job.url,
    setupClient: adaptClient,
    connections: job.connections,
    duration: durationS,
    // autocannon stops at the first sample tick after the duration: 100 ms
    // ticks instead of 1 s keep short (warm-up, --quick) runs as short as asked.
    sampleInt: 100,
    method: job.method,
    headers: job.headers,
    body: bodyOf(job)
  })
}

async function measure (job: LoadJob, durationS: number): Promise<LoadSummary> {
  if (job.newConnections !== true) return summarize(await fire(job, durationS))
  const url = new URL(job.url)
  return await fireNewConnections({ host: url.hostname, port: Number(url.port), path: `${url.pathname}${url.search}`, connections: job.connections, headers: job.headers }, durationS)
}

const job = JSON.parse(process.argv[2] ?? '') as LoadJob
if (job.warmupS > 0) {
  await measure(job, job.warmupS)
  process.stdout.write('warm\n')
  await once(process.stdin, 'data')
}
process.stdout.write(JSON.stringify(await measure(job, job.durationS)) + '\n')
process.stdin.destroy()
