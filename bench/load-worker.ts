// Runs in its own process, pinned to the load generator's CPU: autocannon against
// one URL. With a warm-up it prints `warm` after it and waits for `go` on stdin
// (the harness waits for the server to go idle in between), so the measured run
// also gets a client already warm. Ends with one JSON summary line on stdout.
import { once } from 'node:events'
import autocannon from 'autocannon'
import { summarize } from './stats.js'
import type { LoadJob } from './load.js'

/**
 * autocannon 9 keeps every response body as a string (`body += chunk` in
 * lib/pipelinedRequestsQueue.js) for its optional body checks, which we do not
 * use; on a 64 MiB file that string building caps the client near 50 MB/s and
 * the bench would measure autocannon instead of the server. Status, bytes and
 * timing are recorded elsewhere and stay intact.
 */
function discardBodies (client: autocannon.Client): void {
  const queue = (client as unknown as { pipelinedRequests?: { addBody?: unknown } }).pipelinedRequests
  if (typeof queue?.addBody !== 'function') throw new Error('autocannon internals changed: pipelinedRequests.addBody is gone')
  queue.addBody = () => {}
}

async function fire (job: LoadJob, durationS: number): Promise<autocannon.Result> {
  return await autocannon({
    url: job.url,
    setupClient: discardBodies,
    connections: job.connections,
    duration: durationS,
    // autocannon stops at the first sample tick after the duration: 100 ms
    // ticks instead of 1 s keep short (warm-up, --quick) runs as short as asked.
    sampleInt: 100,
    method: job.method,
    headers: job.headers,
    body: job.body
  })
}

const job = JSON.parse(process.argv[2] ?? '') as LoadJob
if (job.warmupS > 0) {
  await fire(job, job.warmupS)
  process.stdout.write('warm\n')
  await once(process.stdin, 'data')
}
process.stdout.write(JSON.stringify(summarize(await fire(job, job.durationS))) + '\n')
process.stdin.destroy()
