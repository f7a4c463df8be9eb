// Errors a user can cause, each with a name, a status or exit code, and one line of text.
import { STATUS_CODES } from 'node:http'

/** A bad option or flag value. The CLI prints its message and exits 2. */
export class OptionError extends TypeError {
  override name = 'OptionError'
  constructor (readonly option: string, message: string) {
    super(message)
  }
}

export interface HttpError extends Error {
  statusCode: number
}

/** An error Fastify's error handler turns into `statusCode` with `message`. */
export function httpError (statusCode: number, message = STATUS_CODES[statusCode] ?? 'Error'): HttpError {
  return Object.assign(new Error(message), { statusCode })
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
    default:
      return error
  }
}
