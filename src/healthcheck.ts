#!/usr/bin/env node
// The container health check: asks the servekit on this machine for its health
// endpoint and exits 0 when it answers 200, else 1 with one line saying why. It
// reads the same flags and SERVEKIT_* variables as the server, so a port or TLS set
// in the environment is followed. It connects to loopback (to the bound address
// when that is a specific one) and accepts any certificate: it checks that this
// server is alive, not who it is.
import type { IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { http } from './node-http.js'
import { homedir } from 'node:os'
import { HEALTH_PATH } from '../routes/health/index.js'
import { parseCli } from './args.js'
import { DEFAULT_PORT } from './options.js'
import { tlsSettings } from './tls/settings.js'

const TIMEOUT_MS = 4_000

function fail (message: string): never {
  process.stderr.write(`servekit health check: ${message}\n`)
  process.exit(1)
}

function targetHost (bind: string | undefined): string {
  return bind === undefined || bind === '::' || bind === '0.0.0.0' ? '127.0.0.1' : bind
}

async function probe (): Promise<void> {
  const command = parseCli(process.argv.slice(2), { env: process.env, isTTY: false })
  if (command.kind !== 'serve') return
  const { port = DEFAULT_PORT, bind } = command.options
  if (port === 0) fail('the port is 0 (any free port), so there is no port to check')
  const tls = tlsSettings(command.options, homedir()) !== undefined
  const request = tls ? httpsRequest : http.request
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request({ host: targetHost(bind), port, path: HEALTH_PATH, timeout: TIMEOUT_MS, rejectUnauthorized: false, agent: false }, resolve)
    req.on('timeout', () => { req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)) })
    req.on('error', reject)
    req.end()
  })
  response.resume()
  if (response.statusCode !== 200) fail(`${HEALTH_PATH} answered ${response.statusCode}`)
}

probe().catch((error: unknown) => { fail((error as Error).message) })
