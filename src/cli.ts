#!/usr/bin/env node
// The `servekit` command: parse, start, and report. User mistakes are one line on
// stderr with exit 2; a port that cannot be had is exit 1; never a stack trace.
import cluster from 'node:cluster'
import { helpText, nameTheVariable, parseCli, unknownVariables, type CliCommand } from './args.js'
import { failureOf } from './failure.js'
import { VERSION } from './version.js'

function fail (message: string, code: number): never {
  process.stderr.write(`servekit: ${message}\n`)
  process.exit(code)
}

async function serve ({ options, workers }: Extract<CliCommand, { kind: 'serve' }>): Promise<void> {
  // A worker runs this file again with the same arguments and environment.
  // Imported only now: --help, --version and usage errors need none of Fastify.
  if (cluster.isWorker) return await (await import('./cluster/worker.js')).runWorker(options)
  for (const name of unknownVariables(process.env)) {
    process.stderr.write(`servekit: warning: ignoring ${name}, which is not a servekit setting (see servekit --help)\n`)
  }
  if (workers > 1) return await (await import('./cluster/primary.js')).runPrimary(options, workers)
  const { startServer } = await import('./server.js')
  await startServer({ ...options, handleSignals: true })
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
      try {
        await serve(command)
      } catch (error) {
        throw nameTheVariable(error, command.fromEnvironment)
      }
  }
}

main().catch((error: unknown) => {
  const { message, exitCode } = failureOf(error)
  fail(message, exitCode)
})
