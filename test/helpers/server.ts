// Starts servekit on a free loopback port for one test file.
import { startServer, type RunningServer, type StartOptions } from '../../src/server.js'

export async function serve (options: StartOptions): Promise<RunningServer> {
  return await startServer({ port: 0, bind: '127.0.0.1', logLevel: 'silent', ...options })
}
