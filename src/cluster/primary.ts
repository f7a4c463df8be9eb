// The cluster primary: it settles what must exist once (the certificate, the login
// demo's session key), forks the workers, which share its listening socket, prints
// the start-up line when all of them listen, replaces a worker that dies (with
// backoff), and on SIGINT/SIGTERM has every worker drain, then exits 0.
//
// The workers accept connections themselves (SCHED_NONE), not the primary for them
// (node:cluster's round-robin default on Linux). Round-robin hands each accepted
// connection to a worker over IPC and closes its own copy only once the worker says
// it took it: a connection on its way to a worker that dies stays open in the
// primary, unanswered, until the client gives up (4 requests hung for the client's
// full 15 s over 6 kills). Accepted by the worker, a connection dies with it and the
// client gets a reset at once; the ones still waiting to be accepted go to the other
// workers. The price is a less even spread under load (62/38 measured with 8 busy
// clients on 2 workers; even with one).
import cluster, { type Worker } from 'node:cluster'
import { randomBytes } from 'node:crypto'
import { ReportedFailure } from '../failure.js'
import { createLogger } from '../logger.js'
import { resolveOptions, type ServekitOptions } from '../options.js'
import { SHUTDOWN_GRACE_MS, startupLine, type StartupLine } from '../server.js'
import { loadTlsOnDemand } from '../tls/on-demand.js'
import { restartDelay, youngDeaths } from './backoff.js'
import { isWorkerMessage, pemText, STOP_SIGNALS, TICKET_KEYS_BYTES, type PrimaryMessage, type WorkerSettings } from './messages.js'

interface Slot {
  worker: Worker | undefined
  startedAt: number
  exited: boolean
  youngDeaths: number
  /** The worker this one replaces, for the log. */
  replaces: number | undefined
  restart: NodeJS.Timeout | undefined
}

function howItEnded (code: number | null, signal: string | null): string {
  return signal !== null ? `was killed by ${signal}` : `exited with code ${code}`
}

function tell (worker: Worker, message: PrimaryMessage): void {
  // A worker on its way out may close its channel after the check: the write then
  // fails with EPIPE, which without a callback would crash the primary. Its exit
  // is handled where every exit is.
  if (worker.isConnected()) worker.send(message, () => {})
}

/** Resolves with the start-up line once every worker listens; rejects, with nothing left running, when they cannot start. */
export async function runPrimary (options: ServekitOptions, count: number): Promise<StartupLine> {
  // Read at the first fork, fixed from then on.
  cluster.schedulingPolicy = cluster.SCHED_NONE
  const resolved = await resolveOptions(options)
  const tls = await loadTlsOnDemand(resolved)
  const log = await createLogger({ level: resolved.logLevel, format: resolved.logFormat })
  let secret = resolved.secret
  if (resolved.login && secret === undefined) {
    secret = randomBytes(32).toString('base64url')
    log.warn('login: no secret given, so sessions are signed with a random key made for this start and shared by its workers: they end when servekit restarts and are not shared with other servers; set SERVEKIT_SECRET to keep them')
  }
  // One set for all workers, made per start like the secret: never written anywhere.
  const settings: WorkerSettings = { https: pemText(tls?.https, randomBytes(TICKET_KEYS_BYTES)), secret: resolved.login ? secret : undefined }

  return await new Promise<StartupLine>((resolve, reject) => {
    const slots: Slot[] = Array.from({ length: count }, () => ({ worker: undefined, startedAt: 0, exited: false, youngDeaths: 0, replaces: undefined, restart: undefined }))
    let state: 'starting' | 'running' | 'stopping' = 'starting'
    let startFailure: ReportedFailure | undefined
    let listening = 0

    function fork (slot: Slot): void {
      const worker = cluster.fork()
      Object.assign(slot, { worker, startedAt: Date.now(), exited: false, restart: undefined, replaces: slot.worker?.process.pid })
      worker.on('message', (message) => { onMessage(slot, worker, message) })
      worker.on('exit', (code, signal) => { onExit(slot, worker, code, signal) })
    }

    function onMessage (slot: Slot, worker: Worker, message: unknown): void {
      if (!isWorkerMessage(message)) return
      const pid = worker.process.pid
      switch (message.servekit) {
        case 'send-settings':
          tell(worker, state === 'stopping' ? { servekit: 'stop' } : { servekit: 'settings', settings })
          return
        case 'failed':
          if (state === 'starting') {
            stopAll(new ReportedFailure(message.message, message.exitCode))
          } else if (state === 'running') {
            log.error({ worker: pid }, `worker ${pid} could not start: ${message.message}`)
          }
          return
        case 'listening':
          if (state === 'running') {
            log.info({ worker: pid, replaced: slot.replaces }, `worker ${pid} is serving in place of worker ${slot.replaces}`)
          } else if (state === 'starting' && ++listening === count) {
            state = 'running'
            const line = startupLine(message, tls !== undefined, tls?.certificate)
            log.info({ ...line.fields, workers: count }, line.msg)
            for (const note of tls?.notes ?? []) log[note.level](note.msg)
            resolve(line)
          }
      }
    }

    function onExit (slot: Slot, worker: Worker, code: number | null, signal: string | null): void {
      if (worker !== slot.worker) return
      slot.exited = true
      const pid = worker.process.pid
      if (state === 'stopping') {
        finishIfAllExited()
      } else if (state === 'starting') {
        stopAll(new ReportedFailure(`a worker ${howItEnded(code, signal)} while starting`, 1))
      } else {
        slot.youngDeaths = youngDeaths(slot.youngDeaths, Date.now() - slot.startedAt)
        const delay = restartDelay(slot.youngDeaths)
        log.warn({ worker: pid, code, signal, restartInMs: delay }, `worker ${pid} ${howItEnded(code, signal)}; starting another ${delay === 0 ? 'now' : `in ${delay} ms`}`)
        slot.restart = setTimeout(() => { fork(slot) }, delay)
      }
    }

    function finishIfAllExited (): void {
      if (!slots.every((slot) => slot.exited)) return
      if (startFailure !== undefined) reject(startFailure)
      else process.exit(0)
    }

    /** Every worker drains (up to the grace period) and exits; then the primary goes too. */
    function stopAll (failure?: ReportedFailure): void {
      state = 'stopping'
      startFailure = failure
      for (const slot of slots) {
        clearTimeout(slot.restart)
        if (!slot.exited && slot.worker !== undefined) tell(slot.worker, { servekit: 'stop' })
      }
      setTimeout(() => {
        log.error(`workers still running ${SHUTDOWN_GRACE_MS / 1000} s after the stop; killing them`)
        kill()
        process.exit(1)
      }, SHUTDOWN_GRACE_MS + 2_000).unref()
      finishIfAllExited()
    }

    function kill (): void {
      for (const slot of slots) if (!slot.exited) slot.worker?.process.kill('SIGKILL')
    }

    for (const signal of STOP_SIGNALS) {
      process.on(signal, () => {
        if (state === 'stopping') {
          log.error({ signal }, `second ${signal}, stopping now`)
          kill()
          process.exit(1)
        }
        log.info({ signal }, `${signal} received, finishing requests in flight (up to ${SHUTDOWN_GRACE_MS / 1000} s)`)
        stopAll()
      })
    }
    for (const slot of slots) fork(slot)
  })
}
