// Serves a folder: files through @fastify/send, folders as index files or listings.
// Path resolution, the symlink and dotfile policy, redirects, listings, ranges and
// 405s are ours; send contributes stat, MIME types, validators and conditional GET.
import type { Stats } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import Negotiator from 'negotiator'
import send from '@fastify/send'
import { isInside, parseUrlPath, resolveInRoot, urlPathOf, type PathPolicy } from '../../src/safe-path.js'
import { fsHttpError, httpError } from '../../src/errors.js'
import { readListing, sortEntries, SORT_KEYS, SORT_ORDERS, type SortKey, type SortOrder } from './listing.js'
import { renderListingHtml } from './listing-html.js'
import { contentRange, decideRange, ifRangeHolds } from './ranges.js'
import { multipartRanges } from './multipart-ranges.js'
import { realDirectory } from '../../src/real-directory.js'

export interface StaticFilesOptions extends Partial<PathPolicy> {
  /** Folder to serve. Resolved with realpath once, at registration. */
  root: string
  /** Files that stand for their folder, tried in order. */
  index?: readonly string[]
  /** Real folders never served from, whatever URL leads there (e.g. the CGI scripts' folder). */
  exclude?: readonly string[]
}

const READ_METHODS = ['GET', 'HEAD']
const ALLOW = READ_METHODS.join(', ')
const LISTING_TYPES = ['text/html', 'application/json']
const LISTING_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  'x-content-type-options': 'nosniff',
  vary: 'Accept'
}

interface Target { path: string, query: string }

/** Splits the raw request target; Fastify's decoded `request.url` would decode twice. */
function splitTarget (url: string): Target {
  const q = url.indexOf('?')
  return q === -1 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) }
}

function queryValue<T extends string> (request: FastifyRequest, name: string, allowed: readonly T[]): T | undefined {
  const value = (request.query as Record<string, unknown>)[name]
  if (value === undefined) return undefined
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T
  throw httpError(400, `${name} must be one of ${allowed.join(', ')}`)
}

function rejectSpecialFiles (_path: string, stats: Stats): void {
  // A FIFO or device opened for reading could hang or never end.
  if (!stats.isFile()) throw httpError(404)
}

async function openFile (real: string): Promise<FileHandle> {
  try {
    return await open(real, 'r')
  } catch (error) {
    throw fsHttpError(error)
  }
}

const SEND_OPTIONS = { index: false, dotfiles: 'allow', acceptRanges: false, onFile: rejectSpecialFiles } as const

/**
 * Asks send about a real path without opening it: as a HEAD request it stats the
 * file, sets validators and MIME type and answers conditional requests (304, 412),
 * and leaves the body to us, so ranges and multipart follow RFC 9110 exactly.
 */
async function inspect (request: FastifyRequest, realPath: string): Promise<send.SendResult> {
  const headRequest = { method: 'HEAD', headers: request.raw.headers } as unknown as Parameters<typeof send>[0]
  try {
    // send decodes the path it is given; only `%` can be misread.
    return await send(headRequest, realPath.replaceAll('%', '%25'), SEND_OPTIONS)
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) throw httpError(404)
    throw error
  }
}

const staticFiles: FastifyPluginAsync<StaticFilesOptions> = async (app, options) => {
  const root = await realDirectory(options.root, 'root')
  const dotfiles = options.dotfiles ?? false
  const followSymlinks = options.followSymlinks ?? false
  const index = options.index ?? ['index.html', 'index.htm']
  const exclude = await Promise.all((options.exclude ?? []).map(async (dir) => await realDirectory(dir, 'exclude')))

  // Requests for other methods must reach the 405 handler whatever their body.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, _payload, done) => { done(null) })

  async function locate (request: FastifyRequest): Promise<{ real: string, segments: string[], trailingSlash: boolean, query: string }> {
    const target = splitTarget(request.raw.url ?? '/')
    const parsed = parseUrlPath(target.path, dotfiles)
    if (!parsed.ok) throw httpError(parsed.status)
    const real = await resolveInRoot(root, parsed.segments, followSymlinks)
    if (real === null || exclude.some((dir) => isInside(dir, real))) throw httpError(404)
    return { real, segments: parsed.segments, trailingSlash: parsed.trailingSlash, query: target.query }
  }

  async function serveFile (request: FastifyRequest, reply: FastifyReply, real: string, sent: send.FileSendResult): Promise<FastifyReply> {
    const { ETag: weakTag, ...headers } = sent.headers
    // send's validator is size+mtime, as strong as nginx's; a strong tag lets If-Range resume downloads.
    const etag = weakTag?.replace(/^W\//, '')
    const size = sent.metadata.stat.size
    const decision = sent.statusCode === 200 && ifRangeHolds(request.headers['if-range']?.toString(), etag, headers['Last-Modified'])
      ? decideRange(request.headers.range, size)
      : { kind: 'full' as const }
    if (decision.kind === 'unsatisfiable') {
      return await reply.code(416).header('content-range', `bytes */${size}`).header('content-length', 0).send()
    }

    const ranges = decision.kind === 'partial' ? decision.ranges : []
    const multipart = ranges.length > 1 ? multipartRanges(size, headers['Content-Type'], ranges) : undefined
    let body: Readable | undefined
    if (request.method !== 'HEAD' && sent.statusCode === 200) {
      // Opened before any header is set, so an unreadable file is a clean 403.
      const file = await openFile(real)
      const [range] = ranges
      body = multipart?.stream(file) ?? file.createReadStream(range === undefined ? {} : { start: range.start, end: range.end })
    }

    reply.code(sent.statusCode).headers(headers).header('accept-ranges', 'bytes')
    if (etag !== undefined) reply.header('etag', etag)
    if (headers['Content-Type'] === undefined) reply.header('content-type', 'application/octet-stream')
    if (multipart !== undefined) {
      reply.code(206).header('content-type', multipart.contentType).header('content-length', multipart.contentLength)
    } else if (ranges[0] !== undefined) {
      reply.code(206).header('content-range', contentRange(ranges[0], size)).header('content-length', ranges[0].end - ranges[0].start + 1)
    }
    return await reply.send(body)
  }

  async function serveFolder (request: FastifyRequest, reply: FastifyReply, located: Awaited<ReturnType<typeof locate>>): Promise<FastifyReply> {
    const { real, segments, trailingSlash, query } = located
    if (!trailingSlash) {
      // Built from the normalised segments, never from the raw path, so `//evil.example/..`
      // redirects to `/` and a Location can never start with `//` or `/\`.
      const location = urlPathOf(segments, true) + (query === '' ? '' : '?' + query)
      return await reply.code(301).header('location', location).send()
    }
    for (const name of index) {
      const indexReal = await resolveInRoot(root, [...segments, name], followSymlinks)
      if (indexReal === null || exclude.some((dir) => isInside(dir, indexReal))) continue
      const sent = await inspect(request, indexReal).catch(() => null)
      if (sent?.type === 'file') return await serveFile(request, reply, indexReal, sent)
    }

    const sort = queryValue<SortKey>(request, 'sort', SORT_KEYS) ?? 'name'
    const order = queryValue<SortOrder>(request, 'order', SORT_ORDERS) ?? 'asc'
    const format = queryValue(request, 'format', ['html', 'json'] as const) ??
      (new Negotiator(request.raw).mediaType(LISTING_TYPES) === 'application/json' ? 'json' : 'html')
    const entries = sortEntries(await readListing(real, { root, dotfiles, followSymlinks }).catch((e: unknown) => { throw fsHttpError(e) }), sort, order)
    const urlPath = segments.length === 0 ? '/' : `/${segments.join('/')}/`

    reply.headers(LISTING_HEADERS)
    if (format === 'json') {
      return await reply.type('application/json; charset=utf-8').send(JSON.stringify({
        path: urlPath,
        entries: entries.map((e) => ({ name: e.name, type: e.type, size: e.size, mtime: e.mtime.toISOString() }))
      }))
    }
    return await reply.type('text/html; charset=utf-8').send(renderListingHtml(urlPath, entries, sort, order))
  }

  app.route({
    method: READ_METHODS,
    url: '/*',
    handler: async (request, reply) => {
      const located = await locate(request)
      const sent = await inspect(request, located.real)
      if (sent.type === 'directory') return await serveFolder(request, reply, located)
      if (sent.type === 'error') throw httpError(sent.statusCode)
      return await serveFile(request, reply, located.real, sent)
    }
  })

  app.route({
    method: app.supportedMethods.filter((m) => !READ_METHODS.includes(m)),
    url: '/*',
    handler: async (request, reply) => {
      await locate(request)
      return await reply.code(405).header('allow', ALLOW).send({ statusCode: 405, error: 'Method Not Allowed', message: `${request.method} is not allowed here; use ${ALLOW}` })
    }
  })
}

export default staticFiles
