// Baseline for the CGI scenario ("the bare spawn rate"): a Fastify route that
// spawns the script with Node's spawn (bare-cgi-route.ts has the rest). The floor
// servekit's CGI host can approach.
// Usage: node fastify-spawn.js CGI_DIR PORT
import { spawn } from 'node:child_process'
import { serveBareCgi } from './bare-cgi-route.js'

await serveBareCgi(async (file, env) => {
  const child = spawn(file, [], { env, stdio: ['ignore', 'pipe', 'ignore'] })
  // A script that cannot start ends its stdout empty.
  child.once('error', () => {})
  const chunks: Buffer[] = []
  for await (const chunk of child.stdout) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
})
