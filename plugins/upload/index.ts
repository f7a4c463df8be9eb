// Uploads, in the order a request flows: decide what the method and URL ask for
// (target.ts), refuse other sites' pages, open the folder through the lookup (it
// must be a folder inside the served one), then store each file through store.ts:
// a temporary file proven to be in that folder, streamed, put in place in one step.
// PUT /dir/name is one file (curl -T); POST /dir/ a multipart form of files (curl -F,
// the listing page); PUT /dir/new/ and MKCOL /dir/new a new folder. Each stored file
// is logged once: client, size, name.
import { Socket } from 'node:net'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import multipart from '@fastify/multipart'
import { clientAddress } from '../../src/client-address.js'
import { httpError } from '../../src/errors.js'
import { prefersHtml } from '../../src/error-reply.js'
import { escapeControls } from '../../src/logger.js'
import { createLookup, type Lookup } from '../../src/lookup/index.js'
import { allowsReal, type LookupPolicy } from '../../src/lookup/policy.js'
import { chooseVerifier } from '../../src/lookup/verify.js'
import { urlPathOf } from '../../src/safe-path.js'
import { checkName, partFileName, relativePath } from './names.js'
import { resolveUploadOptions, type UploadOptions } from './options.js'
import { checkSpace, folderOf, makeFolder, storeFile, tooLarge, type Folder, type StoreRules } from './store.js'
import { crossSite, writeTarget } from './target.js'

export type { UploadOptions } from './options.js'

/** The methods this plugin answers on `/*`: the static plugin's `writeMethods` must leave them out. */
export const UPLOAD_METHODS = ['PUT', 'POST', 'MKCOL'] as const

/** Linux's PATH_MAX: no longer path can be opened. */
const PATH_MAX = 4096

interface Result { name: string, path: string, type: 'file' | 'directory', size?: number }

const upload: FastifyPluginAsync<UploadOptions> = async (app, options) => {
  const settings = await resolveUploadOptions(options)
  const { dotfiles, reserved, maxBytes } = settings
  // Writes never follow a link out of the served folder, whatever reads may do.
  // Nor into /.well-known/ unless dotfiles, whatever link leads there: reads serve it, writes may not.
  const policy: LookupPolicy = { root: settings.root, dotfiles, followSymlinks: false, exclude: settings.exclude, wellKnown: false }
  const verifier = await chooseVerifier(settings.root)
  const lookup: Lookup = settings.lookup ?? await createLookup(policy, { cache: false })
  const rules: StoreRules = { policy, verifier, overwrite: settings.overwrite, maxBytes }

  // MKCOL (RFC 4918) is not among Fastify's methods until added, for the whole app.
  if (!app.supportedMethods.includes('MKCOL')) app.addHttpMethod('MKCOL')
  // Bodies are streams read here, whatever their type: no parser buffers them, and
  // Fastify's bodyLimit does not apply (maxBytes does). Multipart is parsed as it streams.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, payload, done) => { done(null, payload) })
  await app.register(multipart, {
    // One byte over, so the store's own count trips first and refuses the file
    // (busboy would hand over a silently truncated one).
    limits: { fileSize: maxBytes + 1, files: 10_000, fields: 10_000, parts: 20_000, fieldSize: 64 * 1024 }
  })

  app.route({ method: [...UPLOAD_METHODS], url: '/*', handler: write, errorHandler: quietWhenClientLeft })

  async function write (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    try {
      return await writeOrRefuse(request, reply)
    } catch (error) {
      if (!request.raw.readableEnded) discardRest(request, reply)
      throw error
    }
  }

  async function writeOrRefuse (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const target = writeTarget(request.method, request.raw.url ?? '/', dotfiles, reserved)
    if (target.kind === 'refused') throw httpError(target.status, target.message)
    if (crossSite(request.headers, `${request.protocol}://${request.host}`)) throw httpError(403, 'uploads from another site\'s page are refused')
    const declared = Number(request.headers['content-length'] ?? 0)
    if (target.kind === 'file' && declared > maxBytes) throw tooLarge(maxBytes)

    const opened = await lookup.open(target.folder)
    const held: Folder[] = []
    try {
      if (opened.kind !== 'folder') throw httpError(404)
      if (!allowsReal(policy, opened.real)) throw httpError(403, 'uploads are accepted only inside the served folder')
      const folder = folderOf(opened, target.folder, verifier)
      await checkSpace(folder, declared)
      let results: Result[]
      if (target.kind === 'folder') {
        const made = await makeFolder(folder, target.name, lookup, rules, false)
        held.push(made)
        results = [folderResult(made)]
        logStored(request, results[0]!)
      } else if (target.kind === 'file') {
        const body = (request.body as Readable | undefined) ?? request.raw
        results = [await storeOne(request, folder, target.name, body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>)]
      } else {
        results = await storeForm(request, folder)
      }
      return await answer(request, reply, target.folder, results)
    } finally {
      for (const folder of held) folder.opened.descriptor.release()
      opened.descriptor.release()
    }
  }

  async function storeOne (request: FastifyRequest, folder: Folder, name: string, body: AsyncIterable<Buffer>): Promise<Result> {
    const stored = await storeFile(folder, name, body, rules)
    const result: Result = { name: stored.name, path: urlPathOf([...folder.segments, stored.name], false), type: 'file', size: stored.size }
    logStored(request, result)
    return result
  }

  /**
   * The parts of a multipart form, in order: each file is stored as it arrives. A
   * `path` field names the relative path of the file after it (a dropped folder's
   * files, whose folders are made on the way); a `folder` field asks for a new folder.
   */
  async function storeForm (request: FastifyRequest, folder: Folder): Promise<Result[]> {
    if (!request.isMultipart()) throw httpError(415, 'uploads by POST are multipart/form-data (curl -F file=@name); PUT takes the bytes as they are (curl -T name)')
    const results: Result[] = []
    let path: string | undefined
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        const value = typeof part.value === 'string' ? part.value : ''
        if (part.fieldname === 'path') path = value
        if (part.fieldname === 'folder' && value !== '') {
          const name = checkName(value, dotfiles)
          if (!name.ok) throw httpError(400, name.message)
          const made = await makeFolder(folder, name.name, lookup, rules, false)
          made.opened.descriptor.release()
          results.push(folderResult(made))
          logStored(request, results[results.length - 1]!)
        }
        continue
      }
      // A form sent with no file chosen has one empty part with an empty name.
      if (part.filename === '' && path === undefined) {
        part.file.resume()
        continue
      }
      const where = path === undefined ? { ...partFileName(part.filename, dotfiles), folders: [] } : relativePath(path, dotfiles)
      path = undefined
      if (!where.ok) throw httpError(400, where.message)
      // Refused before any folder is made: past Linux's PATH_MAX the file could not be
      // opened, and the folders made on the way would be left behind, out of any URL's reach.
      if (Buffer.byteLength(join(folder.opened.real, ...where.folders, where.name)) >= PATH_MAX) throw httpError(400, `the file's path would be longer than the ${PATH_MAX} bytes a path may have here`)
      // A part's folders are held while its file is stored, then let go: a form of many
      // deep paths held them all to its end (20,000 descriptors for one request).
      const chain: Folder[] = []
      try {
        let into = folder
        for (const name of where.folders) {
          into = await makeFolder(into, name, lookup, rules, true)
          chain.push(into)
        }
        results.push(await storeOne(request, into, where.name, part.file))
      } finally {
        for (const made of chain) made.opened.descriptor.release()
      }
    }
    if (results.length === 0) throw httpError(400, 'the form holds no file: send one as a file field (curl -F file=@name)')
    return results
  }

  function logStored (request: FastifyRequest, result: Result): void {
    const client = clientAddress(request)
    const what = result.type === 'file' ? `${result.path} (${result.size ?? 0} bytes)` : `folder ${result.path}`
    request.log.info({ client, size: result.size, name: result.path }, escapeControls(`upload: ${client} stored ${what}`))
  }

  /** 201 with where it went (JSON, for curl and scripts); a browser's form goes back to the listing (303). */
  async function answer (request: FastifyRequest, reply: FastifyReply, folder: readonly string[], results: Result[]): Promise<FastifyReply> {
    const listing = urlPathOf(folder, true)
    if (request.method === 'POST' && prefersHtml(request.headers.accept)) return await reply.code(303).header('location', listing).send()
    return await reply.code(201)
      .header('location', results.length === 1 ? results[0]!.path : listing)
      .type('application/json; charset=utf-8')
      .send(JSON.stringify({ stored: results }) + '\n')
  }
}

// How long the rest of a refused body is read and dropped before the connection is cut.
const LINGER_MS = 2_000

/**
 * The rest of a refused body (409 before it was read, 413, 507) is read and dropped
 * for a while, as nginx's lingering close does: a connection closed with unread data
 * is reset, and the reset can destroy the answer on its way to a client still sending.
 * Node closes at once after the answer when the client sent `Connection: close`, so
 * the connection is kept open here instead, and closed once the body has ended. A
 * body that ends meanwhile leaves a keep-alive connection usable; one that goes on is cut.
 */
function discardRest (request: FastifyRequest, reply: FastifyReply): void {
  const { raw } = request
  const socket = raw.socket
  // `fastify.inject` has no connection to keep or close: the rest is just read.
  if (!(socket instanceof Socket)) {
    raw.resume()
    return
  }
  const closeAfter = !reply.raw.shouldKeepAlive
  reply.raw.shouldKeepAlive = true
  raw.unpipe()
  const timer = setTimeout(() => { if (!raw.readableEnded) socket.destroy() }, LINGER_MS)
  timer.unref()
  socket.once('close', () => { clearTimeout(timer) })
  // Closed once both the body has ended and the answer has gone out, whichever is last.
  let pending = 2
  const done = (): void => { if (--pending === 0 && closeAfter) socket.end() }
  raw.once('end', () => {
    clearTimeout(timer)
    done()
  })
  reply.raw.once('finish', done)
  raw.resume()
}

function folderResult (folder: Folder): Result {
  return { name: folder.segments[folder.segments.length - 1]!, path: urlPathOf(folder.segments, true), type: 'directory' }
}

/**
 * A client that hangs up mid-body is normal: what it sent is already gone (store.ts
 * unlinks it), one line says so, and there is nobody to answer.
 */
function quietWhenClientLeft (error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  if (reply.raw.destroyed || request.raw.socket?.destroyed === true) {
    request.log.info(`upload: ${clientAddress(request)} went away before the upload ended; nothing was kept`)
    return
  }
  throw error
}

export default upload
