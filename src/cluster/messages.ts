// What the primary and its workers say to each other over the cluster's IPC channel.
import type { HttpsOptions } from '../tls/index.js'

/** Settled once by the primary, so workers neither make certificates nor secrets of their own. */
export interface WorkerSettings {
  /** PEM text: strings survive the JSON channel as they are. */
  https: { key: string, cert: string, passphrase?: string, ticketKeys: string } | undefined
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

/** Ticket keys as Node takes them: 16 bytes of name, 16 of HMAC secret, 16 of AES key. */
export const TICKET_KEYS_BYTES = 48

/** The primary's HTTPS settings as text, with the ticket keys every worker shares. */
export function pemText (https: HttpsOptions | undefined, ticketKeys: Buffer): WorkerSettings['https'] {
  if (https === undefined) return undefined
  return {
    key: https.key.toString(),
    cert: https.cert.toString(),
    ...(https.passphrase === undefined ? {} : { passphrase: https.passphrase }),
    ticketKeys: ticketKeys.toString('base64')
  }
}

/** Back from text, in a worker. */
export function httpsOf (settings: WorkerSettings['https']): HttpsOptions | undefined {
  if (settings === undefined) return undefined
  const { ticketKeys, ...pem } = settings
  return { ...pem, ticketKeys: Buffer.from(ticketKeys, 'base64') }
}

/** What stops a worker or the primary; each drains before it exits. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
