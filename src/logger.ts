// pino as the contract says: JSON lines on stdout, pretty on a TTY, and nothing a
// request controls (URL bytes, headers) reaches the terminal unescaped.
import pino, { type Logger } from 'pino'
import type { LogFormat, LogLevel } from './options.js'

export interface LoggerOptions {
  level: LogLevel
  format: LogFormat
}

const REDACT = {
  // Never written by servekit, but a user's route may log whole requests.
  paths: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["proxy-authorization"]', 'res.headers["set-cookie"]'],
  censor: '[redacted]'
}

export async function createLogger ({ level, format }: LoggerOptions): Promise<Logger> {
  const options = { level, redact: REDACT, base: { pid: process.pid } }
  if (format === 'pretty') {
    // Loaded only for a terminal: it costs start-up time JSON logging never needs.
    const { default: pretty } = await import('pino-pretty')
    return pino(options, pretty({
      sync: true,
      colorize: process.stdout.isTTY === true,
      translateTime: 'SYS:HH:MM:ss',
      messageFormat: (log: Record<string, unknown>, messageKey: string) => prettyMessage(log, messageKey),
      ignore: 'pid,hostname,reqId,url,port,address,tls,method,statusCode,responseTime,remoteAddress,network,script'
    }))
  }
  return pino(options, pino.destination({ dest: 1, sync: false }))
}

/**
 * What a person at a terminal needs from a line whose fields the pretty format
 * hides: under the start-up line, every URL another machine can use (the point
 * of sharing a folder with a classroom); before a request line, who asked.
 */
export function prettyMessage (log: Record<string, unknown>, messageKey: string): string {
  const msg = String(log[messageKey] ?? '')
  const network = Array.isArray(log.network) ? log.network.filter((url) => typeof url === 'string') : []
  if (typeof log.url === 'string' && typeof log.port === 'number' && 'network' in log) {
    return [msg, `  Local:   ${log.url}`, ...network.map((url) => `  Network: ${url}`)].join('\n')
  }
  if (typeof log.remoteAddress === 'string' && typeof log.statusCode === 'number') return `${escapeControls(log.remoteAddress)} ${msg}`
  return msg
}

// C0 and C1 controls plus DEL. JSON escapes C0 itself, but C1 (e.g. U+009B, a
// one-byte CSI) would pass through and pretty output would print any of them raw.
// eslint-disable-next-line no-control-regex -- matching them is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g

/** Escapes control characters as `\xHH`, as Python's http.server does since 3.12. */
export function escapeControls (text: string): string {
  return text.replace(CONTROLS, (c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0'))
}
