#!/usr/bin/env node
// The `servekit` command: parse, start, and report. User mistakes are one line on
// stderr with exit 2; a port that cannot be had is exit 1; never a stack trace.
import cluster from 'node:cluster'
import { helpText, nameTheVariable, parseCli, unknownVariables, type CliCommand } from './args.js'
import { flushCompileCache } from './compile-cache.js'
import { failureOf } from './failure.js'
import { VERSION } from './version.js'

function fail (message: string, code: number): never {
  process.stderr.write(`servekit: ${message}\n`)
  process.exit(code)
}

/** What a person at the terminal asked for once the server listens: a QR code, a browser. */
async function greet (url: string, network: string[], { qr, open }: Command['startup'], pretty: boolean): Promise<void> {
  // JSON lines own stdout; the code then goes where people, not parsers, look.
  const out = pretty ? process.stdout : process.stderr
  if (qr) {
    const { qrTarget, qrText } = await import('./qr-code.js')
    const target = qrTarget(network)
    if (target === undefined) process.stderr.write(`servekit: no network address to show as a QR code (listening on ${url} only); try -b 0.0.0.0\n`)
    else out.write(qrText(target))
  }
  if (open) {
    const problem = await (await import('./open-browser.js')).openBrowser(url)
    if (problem !== undefined) process.stderr.write(`servekit: warning: ${problem}\n`)
  }
}

type Command = Extract<CliCommand, { kind: 'serve' }>

async function serve ({ options, workers, startup }: Command): Promise<void> {
  // A worker runs this file again with the same arguments and environment.
  // Imported only now: --help, --version and usage errors need none of Fastify.
  if (cluster.isWorker) return await (await import('./cluster/worker.js')).runWorker(options)
  for (const name of unknownVariables(process.env)) {
    process.stderr.write(`servekit: warning: ignoring ${name}, which is not a servekit setting (see servekit --help)\n`)
  }
  const { url, network } = workers > 1
    ? await (await import('./cluster/primary.js')).runPrimary(options, workers)
    : await (await import('./server.js')).startServer({ ...options, handleSignals: true })
  await greet(url, network, startup, options.logFormat === 'pretty')
  flushCompileCache()
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
    case 'hash-password': {
      const { readPassword } = await import('./password-prompt.js')
      const { hashPassword } = await import('../plugins/auth/hashes.js')
      process.stdout.write(`${command.user}:${await hashPassword(await readPassword(process.stdin, process.stderr))}\n`)
      return
    }
    case 'serve':
      try {
        await serve(command)
      } catch (error) {
        throw nameTheVariable(error, command.fromEnvironment, command.typed)
      }
  }
}

main().catch((error: unknown) => {
  const { message, exitCode } = failureOf(error)
  fail(message, exitCode)
})
