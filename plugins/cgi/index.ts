// CGI (RFC 3875) as one pipeline, in the order a request flows through it: find the
// script, take the body, wait for a slot, build the environment, start the process
// group, feed stdin, read the header block, decide the status, stream the body,
// clean up. Every failure is logged once, `cgi: <script>: <reason>`, and becomes
// one status.
import { readSync } from 'node:fs'
import { dirname } from 'node:path'
import { Readable, type Writable } from 'node:stream'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { unmappedAddress, clientAddress } from '../../src/client-address.js'
import { httpError } from '../../src/errors.js'
import { sendError } from '../../src/error-reply.js'
import { escapeControls } from '../../src/logger.js'
import { createLookup } from '../../src/lookup/index.js'
import { VERSION } from '../../src/version.js'
import { quietWhenClientLeft } from './client-left.js'
import { cgiEnvironment, type CgiHost, type CgiScript } from './environment.js'
import { outputIfEnded } from './ended-output.js'
import { exactLength } from './exact-length.js'
import { currentOrigin, MAX_LOCAL_REDIRECTS, redirectLocally, type Connection } from './local-redirect.js'
import { locateScript, scriptUnchanged, type LocatedScript } from './locate-script.js'
import { resolveCgiOptions, type CgiOptions } from './options.js'
import { readHeaderBlock } from './read-header-block.js'
import { requestBody, type RequestBody } from './request-body.js'
import { decideResponse } from './response.js'
import { startScript, type ScriptProcess } from './script-process.js'
import { execPlanOf, HEAD_BYTES, type ExecPlan } from './exec-plan.js'
import { createSlots } from './slots.js'

export type { CgiOptions } from './options.js'

// Statuses whose responses never carry a body, whatever the script writes.
const BODYLESS_STATUS = new Set([204, 304])

function connectionOf (request: FastifyRequest): Connection {
  const socket = request.raw.socket
  return {
    remoteAddress: clientAddress(request),
    remotePort: socket.remotePort,
    localAddress: unmappedAddress(socket.localAddress ?? ''),
    localPort: socket.localPort ?? 0,
    tls: request.protocol === 'https'
  }
}

function feedStdin (stdin: Writable | null, body: RequestBody): void {
  if (stdin === null || body.kind === 'none') return
  const source = body.kind === 'stream' ? body.source : body.open()
  source.pipe(stdin)
  stdin.once('close', () => {
    source.unpipe(stdin)
    // A script that stopped reading early: the rest of the body is drained so the
    // connection can carry the next request.
    if (body.kind === 'stream') source.resume()
  })
}

const cgi: FastifyPluginAsync<CgiOptions> = async (app, options) => {
  const settings = await resolveCgiOptions(options)
  const mount = [...app.prefix.split('/').filter((s) => s !== ''), ...settings.mount]
  // Symlinks are followed only while they stay inside the CGI folder, whatever
  // --follow-symlinks says: a link to /usr/bin/python3 would run any POSTed code.
  // Nothing kept, every script proven anew; a script run a moment ago is opened and proven
  // without the thread pool (three hops, ~200 µs of this thread per request on a VM).
  const lookup = await createLookup({ root: settings.dir, dotfiles: settings.dotfiles, followSymlinks: false, exclude: [] }, { cache: false, warmOpens: true })
  const folder = { mount, dotfiles: settings.dotfiles, lookup }
  const host: CgiHost = { documentRoot: settings.documentRoot, serverSoftware: `servekit/${VERSION}`, baseEnv: settings.env }
  const slots = createSlots(settings.maxConcurrent, settings.queue)
  const running = new Set<ScriptProcess>()
  const seconds = `${settings.timeout / 1000} s`

  // The script reads the body itself: nothing here parses it, and no body limit
  // applies but maxBody and the spool's. Kept inside this plugin's context.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, payload, done) => { done(null, payload) })

  // onClose hooks run once the server has closed, after the grace period for
  // requests in flight: whatever still runs then is killed.
  app.addHook('onClose', async () => {
    for (const script of running) script.kill()
  })

  const methods = app.supportedMethods
  app.route({
    method: methods,
    url: '/' + settings.mount.join('/'),
    handler: async () => { throw httpError(403, 'CGI folders are not listed') }
  })
  app.route({ method: methods, url: `/${settings.mount.join('/')}/*`, handler: runScript, errorHandler: quietWhenClientLeft })

  async function runScript (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const origin = currentOrigin()
    if (origin !== undefined && origin.depth > MAX_LOCAL_REDIRECTS) {
      request.log.error({ url: escapeControls(request.raw.url ?? '') }, `cgi: more than ${MAX_LOCAL_REDIRECTS} local redirects in a row`)
      return await replyError(reply, 502, 'The CGI scripts redirect in a loop.')
    }

    // 1. The script, and what follows it as PATH_INFO; held open until it has started.
    const script = await locateScript(request.raw.url ?? '/', folder)
    try {
      return await runLocated(request, reply, script, origin)
    } finally {
      script.descriptor.release()
    }
  }

  async function runLocated (request: FastifyRequest, reply: FastifyReply, script: LocatedScript, origin: ReturnType<typeof currentOrigin>): Promise<FastifyReply> {
    const name = escapeControls(script.scriptName)
    const log = (level: 'error' | 'warn' | 'info', reason: string): void => {
      request.log[level]({ script: name }, `cgi: ${name}: ${escapeControls(reason)}`)
    }

    // 2. The body: streamed through with a Content-Length, spooled when chunked.
    let body: RequestBody
    try {
      body = await requestBody(request.headers, (request.body as Readable | undefined) ?? request.raw, settings.spool, settings.maxBody)
    } catch (error) {
      // The rest of the body is unread: this connection cannot carry another request.
      reply.header('connection', 'close')
      throw error
    }
    const dispose = async (): Promise<void> => { if (body.kind === 'spooled') await body.dispose() }

    // 3. A slot among the scripts allowed to run at once.
    const slot = slots.acquire(settings.timeout)
    const leaveQueue = (): void => { slot.cancel() }
    reply.raw.once('close', leaveQueue)
    const acquired = await slot.result
    reply.raw.off('close', leaveQueue)
    if (acquired.kind !== 'granted') {
      await dispose()
      if (acquired.kind === 'cancelled') return reply
      log('error', acquired.kind === 'busy'
        ? `refused: all ${settings.maxConcurrent} script slots busy and the queue of ${settings.queue} full`
        : `refused: no script slot came free within ${seconds}`)
      return await replyError(reply, 503, `All ${settings.maxConcurrent} CGI script slots are busy; try again later.`)
    }

    // 4. The environment, 5. the process group.
    const env = cgiEnvironment({
      method: request.method,
      target: request.raw.url ?? '/',
      httpVersion: request.raw.httpVersion,
      rawHeaders: request.raw.rawHeaders,
      hostname: request.hostname === '' ? undefined : request.hostname,
      ...(origin?.connection ?? connectionOf(request)),
      contentLength: body.kind === 'none' ? undefined : body.length,
      // Set by the auth plugin (plugins/auth) when it checked a password for this request.
      user: (request as { authUser?: string | null }).authUser ?? undefined
    }, script, host)
    let child: ScriptProcess
    try {
      child = await startScript(planOf(script), {
        env,
        cwd: dirname(script.filename),
        withStdin: body.kind !== 'none' && body.length > 0,
        onStderrLine: (line) => { log('warn', line) },
        stderrMax: settings.stderrMax,
        limits: settings.limits,
        prlimit: settings.prlimit,
        spawner: settings.spawner,
        accelerator: settings.accelerator
      })
    } catch (error) {
      acquired.release()
      await dispose()
      return await spawnFailed(error as NodeJS.ErrnoException, script, reply, log)
    }

    // Cleanup, and the three ways a script is stopped: timeout, client gone, shutdown.
    let stopped: 'timeout' | 'client gone' | undefined
    const timer = setTimeout(() => {
      stopped ??= 'timeout'
      // Mid-body, the client must see the response is cut short, not a clean end.
      if (reply.raw.headersSent) {
        log('error', `still running after ${seconds}; killed mid-response`)
        reply.raw.destroy()
      }
      child.kill()
    }, settings.timeout)
    running.add(child)
    const clientGone = (): void => {
      if (reply.raw.writableFinished || stopped !== undefined) return
      stopped = 'client gone'
      log('info', 'client went away; killed')
      child.kill()
    }
    // The client may have left while the process was starting.
    if (request.raw.socket.destroyed) clientGone()
    else reply.raw.once('close', clientGone)
    let reported = false
    void child.closed.then(async ({ code, signal }) => {
      clearTimeout(timer)
      running.delete(child)
      acquired.release()
      await dispose()
      if (!reported && stopped === undefined && code !== 0) log('warn', signal === null ? `exited with code ${String(code)}` : `ended by ${signal}`)
    })
    const fail = async (status: 502 | 504, reason: string): Promise<FastifyReply> => {
      reported = true
      child.kill()
      log('error', reason)
      return await replyError(reply, status, status === 504
        ? 'The CGI script did not answer in time.'
        : 'The CGI script did not send a valid response.')
    }

    // 6. What runs is what was checked, before it is given anything; then the body to stdin.
    if (!scriptUnchanged(script)) return await fail(502, 'the script was replaced while it was being started; killed')
    feedStdin(child.stdin, body)

    // 7. The header block.
    const block = await readHeaderBlock(child.stdout)
    if (stopped === 'client gone') return reply
    if (stopped === 'timeout') return await fail(504, `no response within ${seconds}; killed`)
    if (block.kind === 'invalid') return await fail(502, block.reason)
    if (block.kind === 'ended') {
      const { code, signal } = await child.exited
      if (stopped === 'timeout') return await fail(504, `no response within ${seconds}; killed`)
      const how = signal === null ? `exited with code ${String(code)}` : `ended by ${signal}`
      return await fail(502, block.received === 0 ? `${how} without any output` : `${how} before the end of its header block`)
    }

    // 8. The status, from what the script asked for.
    const response = decideResponse(block.fields)
    if (response.kind === 'invalid') return await fail(502, response.reason)
    if (response.kind === 'local-redirect') {
      // Its output is not needed; drained, the script can finish on its own.
      child.stdout.resume()
      return await redirectLocally(app, request, reply, response.location, origin ?? { depth: 0, connection: connectionOf(request) })
    }

    // 9. The body: whole if the script is done writing, else as it writes it, at the
    // pace the client reads it.
    const hasBody = request.method !== 'HEAD' && !BODYLESS_STATUS.has(response.status)
    const whole = hasBody ? await outputIfEnded(child.stdout) : undefined
    if (stopped === 'client gone') return reply
    if (stopped === 'timeout') return await fail(504, `no response within ${seconds}; killed`)
    reply.code(response.status).headers(response.headers)
    if (response.reason !== undefined) reply.raw.statusMessage = response.reason
    // Sent as a Buffer only with its type and length as the script gave them: Fastify
    // would label an untyped Buffer application/octet-stream, and a length mismatch
    // takes the stream's rules below.
    const typed = response.headers['content-type'] !== undefined
    if (whole !== undefined && typed && (response.contentLength ?? whole.length) === whole.length) return await reply.send(whole)
    const output = whole === undefined ? child.stdout : Readable.from([whole], { objectMode: false })
    if (!hasBody || response.contentLength === undefined) return await reply.send(output)
    return await reply.send(output.pipe(exactLength(response.contentLength, {
      onExtra: (reason) => { reported = true; log('warn', reason) },
      onShort: (reason) => {
        reported = true
        log('error', reason)
        reply.raw.destroy()
      }
    })))
  }
}

/**
 * What runs, read from the checked descriptor (exec-plan.ts). Synchronous: a pread of
 * 256 bytes of a file just opened, and no turn of the event loop between the check
 * and the start.
 */
function planOf (script: LocatedScript): ExecPlan {
  const head = Buffer.alloc(HEAD_BYTES)
  const read = readSync(script.descriptor.fd, head, 0, HEAD_BYTES, 0)
  return execPlanOf(head.subarray(0, read), script.filename, dirname(script.filename), `/proc/${process.pid}/fd/${script.descriptor.fd}`)
}

async function replyError (reply: FastifyReply, status: number, message: string): Promise<FastifyReply> {
  // Sent as data, not thrown: the cause is logged already, with the script's name.
  return await sendError(reply.request, reply, status, message)
}

async function spawnFailed (error: NodeJS.ErrnoException, script: CgiScript, reply: FastifyReply, log: (level: 'error', reason: string) => void): Promise<FastifyReply> {
  // EACCES: the execute bit is there, but not for the user servekit runs as.
  if (error.code === 'EACCES') throw httpError(403, 'not an executable CGI script')
  // ENOENT for a file that exists: the interpreter on its #! line does not.
  const reason = error.code === 'ENOENT'
    ? `cannot start ${script.filename}: its #! interpreter was not found`
    : `cannot start ${script.filename}: ${error.code ?? error.message}`
  log('error', reason)
  return await replyError(reply, 502, 'The CGI script could not be started.')
}

export default cgi
