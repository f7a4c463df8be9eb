// How an error that stops servekit is reported: one line, and an exit code that
// tells a script whose fault it was (2: the command line, 1: anything else).
import { ListenError, OptionError, ReportedFailure, UsageError } from './errors.js'

export { ReportedFailure }

export interface Failure {
  message: string
  exitCode: number
}

export function failureOf (error: unknown): Failure {
  if (error instanceof UsageError) return { message: `${error.message} (see servekit --help)`, exitCode: 2 }
  if (error instanceof OptionError) return { message: error.message, exitCode: 2 }
  if (error instanceof ListenError) return { message: error.message, exitCode: 1 }
  if (error instanceof ReportedFailure) return { message: error.message, exitCode: error.exitCode }
  return { message: `could not start: ${(error as Error).message ?? String(error)}`, exitCode: 1 }
}
