// What the primary and its workers say to each other over the cluster's IPC channel.
import type { HttpsOptions } from '../tls/index.js'

/** Settled once by the primary, so workers neither make certificates nor secrets of their own. */
export interface WorkerSettings {
  /** PEM text: strings survive the JSON channel as they are. */
  https: { key: string, cert: string, passphrase?: string } | undefined
  /** The login demo's signing key when none was given: one for all workers, or sessions would not cross them. */
  secret: string | undefined
}

export type WorkerMessage =
  | { servekit: 'send-settings' }
  | { servekit: 'listening', address: string, port: number }
  | { servekit: 'failed', message: string, exitCode: number }

export type PrimaryMessage =
  | { servekit: 'settings', settings: WorkerSettings }
  | { servekit: 'stop' }

function isMessage (value: unknown): value is { servekit: string } {
  return typeof value === 'object' && value !== null && typeof (value as { servekit?: unknown }).servekit === 'string'
}

export function isWorkerMessage (value: unknown): value is WorkerMessage {
  return isMessage(value)
}

export function isPrimaryMessage (value: unknown): value is PrimaryMessage {
  return isMessage(value)
}

export function pemText (https: HttpsOptions | undefined): WorkerSettings['https'] {
  if (https === undefined) return undefined
  return {
    key: https.key.toString(),
    cert: https.cert.toString(),
    ...(https.passphrase === undefined ? {} : { passphrase: https.passphrase })
  }
}

/** What stops a worker or the primary; each drains before it exits. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
