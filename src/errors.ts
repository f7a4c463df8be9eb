// Errors a user can cause, each with a name, a status or exit code, and one line of text.
import { STATUS_CODES } from './node-http.js'

/** A bad option or flag value. The CLI prints its message and exits 2. */
export class OptionError extends TypeError {
  override name = 'OptionError'
  readonly option: string
  constructor (option: string, message: string) {
    super(message)
    this.option = option
  }
}

/** A mistake on the command line (unknown flag, extra argument): printed as one line, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** A port in use, a privileged port, an address not on this machine: exit 1. */
export class ListenError extends Error {
  override name = 'ListenError'
}

/** A route module that could not be loaded or registered: start-up stops (exit 1). */
export class RouteModuleError extends Error {
  override name = 'RouteModuleError'
}

/** A failure already described elsewhere, e.g. by a cluster worker, passed on as it was. */
export class ReportedFailure extends Error {
  override name = 'ReportedFailure'
  readonly exitCode: number
  constructor (message: string, exitCode: number) {
    super(message)
    this.exitCode = exitCode
  }
}

/** A file read whole (a certificate, a key) that is larger than such a file can be. */
export class FileTooLargeError extends Error {
  override name = 'FileTooLargeError'
}

/** A multipart body past the echo route's limit; answered like Fastify's own 413. */
export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError'
  readonly statusCode = 413
  readonly code = 'FST_ERR_CTP_BODY_TOO_LARGE'
  constructor () {
    super('Request body is too large')
  }
}

export interface HttpError extends Error {
  statusCode: number
  /** Written by us for the client: the error reply shows it even on a 5xx (src/error-reply.ts). */
  expose: true
}

/** An error the error reply turns into `statusCode` with `message`. */
export function httpError (statusCode: number, message = STATUS_CODES[statusCode] ?? 'Error'): HttpError {
  return Object.assign(new Error(message), { statusCode, expose: true as const })
}

/** Maps a file-system error on a path the client named to the status it deserves. */
export function fsHttpError (error: unknown): unknown {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
    case 'ENOTDIR':
    case 'ENAMETOOLONG':
    case 'ELOOP':
      return httpError(404)
    case 'EACCES':
    case 'EPERM':
      return httpError(403)
    // Out of descriptors: the server's state, not the request's fault, and passing.
    case 'EMFILE':
    case 'ENFILE':
      return Object.assign(httpError(503, 'The server has too many files open; try again shortly.'), { cause: error })
    default:
      return error
  }
}
