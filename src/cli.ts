#!/usr/bin/env node
// The `servekit` command: parse, start, and report. User mistakes are one line on
// stderr with exit 2; a port that cannot be had is exit 1; never a stack trace.
import { helpText, parseCli, UsageError } from './args.js'
import { OptionError } from './errors.js'
import { ListenError, startServer } from './server.js'
import { VERSION } from './version.js'

function fail (message: string, code: number): never {
  process.stderr.write(`servekit: ${message}\n`)
  process.exit(code)
}

async function main (): Promise<void> {
  const command = parseCli(process.argv.slice(2), { env: process.env, isTTY: process.stdout.isTTY === true })
  switch (command.kind) {
    case 'help':
      process.stdout.write(helpText())
      return
    case 'version':
      process.stdout.write(`servekit ${VERSION}\n`)
      return
    case 'serve':
      await startServer({ ...command.options, handleSignals: true })
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) fail(`${error.message} (see servekit --help)`, 2)
  if (error instanceof OptionError) fail(error.message, 2)
  if (error instanceof ListenError) fail(error.message, 1)
  fail(`could not start: ${(error as Error).message ?? String(error)}`, 1)
})
