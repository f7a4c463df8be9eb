// A cluster worker: a full servekit server on the port the primary shares, started
// with the settings the primary settled, drained when the primary or a signal says so.
import { failureOf } from '../failure.js'
import type { ServekitOptions } from '../options.js'
import { startServer, type RunningServer } from '../server.js'
import { httpsOf, isPrimaryMessage, STOP_SIGNALS, type WorkerMessage, type WorkerSettings } from './messages.js'

async function send (message: WorkerMessage): Promise<void> {
  await new Promise<void>((resolve) => { process.send!(message, undefined, undefined, () => resolve()) })
}

export async function runWorker (options: ServekitOptions): Promise<void> {
  let server: RunningServer | undefined
  let stopping = false
  // Once, however many ask: Ctrl-C signals every process in the terminal's group
  // and the primary asks too; a second request must not cut the drain short.
  const stop = (): void => {
    if (stopping) return
    stopping = true
    if (server === undefined) process.exit(0)
    server.close().then(() => process.exit(0), () => process.exit(1))
  }
  for (const signal of STOP_SIGNALS) process.on(signal, stop)

  // Asked for, not pushed: a message that arrived before this listener would be lost.
  const settings = await new Promise<WorkerSettings>((resolve) => {
    process.on('message', (message) => {
      if (!isPrimaryMessage(message)) return
      if (message.servekit === 'settings') resolve(message.settings)
      else stop()
    })
    void send({ servekit: 'send-settings' })
  })

  try {
    server = await startServer({
      ...options,
      ...(settings.secret === undefined ? {} : { secret: settings.secret }),
      https: httpsOf(settings.https),
      announce: false
    })
  } catch (error) {
    // The primary reports it, once for all workers.
    const { message, exitCode } = failureOf(error)
    await send({ servekit: 'failed', message, exitCode })
    process.exit(exitCode)
  }
  await send({ servekit: 'listening', address: server.address, port: server.port })
}
