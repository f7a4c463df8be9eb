// Serves a folder: files through @fastify/send, folders as index files or listings.
// Path resolution, the symlink and dotfile policy, redirects, listings, ranges and
// 405s are ours; send contributes stat, MIME types, validators and conditional GET.
import { performance } from 'node:perf_hooks'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import Negotiator from 'negotiator'
import type send from '@fastify/send'
import { isInside, parseUrlPath, resolveInRoot, splitTarget, urlPathOf, type PathPolicy } from '../../src/safe-path.js'
import { fsHttpError, httpError } from '../../src/errors.js'
import { readListing, sortEntries, SORT_KEYS, SORT_ORDERS, type SortKey, type SortOrder } from './listing.js'
import { ListingCache } from './listing-cache.js'
import { renderListingHtml, renderListingJson } from './listing-html.js'
import { answerOf, inspect, isConditional, sendFile } from './file-response.js'
import { bufferBody, readSmallFile, streamBody } from './file-body.js'
import { SMALL_FILE, SmallFiles } from './small-files.js'
import { ResolutionCache, type Resolution } from '../../src/resolution-cache.js'
import { realDirectory } from '../../src/real-directory.js'

export interface StaticFilesOptions extends Partial<PathPolicy> {
  /** Folder to serve. Resolved with realpath once, at registration. */
  root: string
  /** Files that stand for their folder, tried in order. */
  index?: readonly string[]
  /** Memory for small files' bytes (each up to 64 KiB) and for listings; 0 turns the caches off. Default 32 MiB each. */
  cacheBytes?: number
  /** Real folders never served from, whatever URL leads there (e.g. the CGI scripts' folder). */
  exclude?: readonly string[]
  /**
   * First URL segments that belong to another route (e.g. `cgi-bin`): never served
   * from disk, even when an encoded slash (`/cgi-bin%2Fhello.py`) slips past the router.
   */
  reserved?: readonly string[]
}

const READ_METHODS = ['GET', 'HEAD']
const ALLOW = READ_METHODS.join(', ')
const LISTING_TYPES = ['text/html', 'application/json']
const LISTING_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  'x-content-type-options': 'nosniff',
  vary: 'Accept'
}

// The longest a listing or a small file is reused when no watch event has said it
// changed: the bound on staleness for what a watch cannot see.
const LISTING_MAX_AGE_MS = 5_000
const SMALL_FILE_MAX_AGE_MS = 2_000

function queryValue<T extends string> (request: FastifyRequest, name: string, allowed: readonly T[]): T | undefined {
  const value = (request.query as Record<string, unknown>)[name]
  if (value === undefined) return undefined
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T
  throw httpError(400, `${name} must be one of ${allowed.join(', ')}`)
}

const staticFiles: FastifyPluginAsync<StaticFilesOptions> = async (app, options) => {
  const root = await realDirectory(options.root, 'root')
  const dotfiles = options.dotfiles ?? false
  const followSymlinks = options.followSymlinks ?? false
  const index = options.index ?? ['index.html', 'index.htm']
  const reserved = options.reserved ?? []
  const exclude = await Promise.all((options.exclude ?? []).map(async (dir) => await realDirectory(dir, 'exclude')))
  const cacheBytes = options.cacheBytes ?? 32 * 1024 * 1024
  const small = new SmallFiles({ maxBytes: cacheBytes, maxDirs: 256, maxAgeMs: SMALL_FILE_MAX_AGE_MS })
  const resolutions = new ResolutionCache(options.cacheBytes === 0 ? 0 : 10_000)
  const listings = new ListingCache(cacheBytes, LISTING_MAX_AGE_MS)
  app.addHook('onClose', async () => { listings.close(); small.close() })

  // Requests for other methods must reach the 405 handler whatever their body.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, _payload, done) => { done(null) })

  interface Named { segments: string[], trailingSlash: boolean, query: string, key: string }
  interface Located extends Named { real: string, cached?: Resolution }

  /** What the request names, decoded and checked, without touching the disk. */
  function named (request: FastifyRequest): Named {
    const target = splitTarget(request.raw.url ?? '/')
    const parsed = parseUrlPath(target.path, dotfiles)
    if (!parsed.ok) throw httpError(parsed.status)
    if (parsed.segments.length > 0 && reserved.includes(parsed.segments[0]!)) throw httpError(404)
    return { segments: parsed.segments, trailingSlash: parsed.trailingSlash, query: target.query, key: parsed.segments.join('/') }
  }

  async function locate (name: Named, useCache = true): Promise<Located> {
    const cached = useCache ? resolutions.get(name.key) : undefined
    if (cached !== undefined) return { ...name, real: cached.real, cached }
    const real = await resolveInRoot(root, name.segments, followSymlinks)
    if (real === null || exclude.some((dir) => isInside(dir, real))) throw httpError(404)
    return { ...name, real }
  }

  /** Resolves and stats what the request names, through the cache while it still holds. */
  async function locateAndInspect (request: FastifyRequest, name: Named): Promise<{ located: Located, sent: send.SendResult, statStartedAt: number }> {
    const located = await locate(name)
    let statStartedAt = performance.now()
    const sent = await inspect(request, located.real)
    if (located.cached === undefined || ResolutionCache.holds(located.cached, sent.type === 'file' ? sent.metadata.stat : undefined)) {
      return { located, sent, statStartedAt }
    }
    resolutions.forget(located.key)
    const fresh = await locate(name, false)
    statStartedAt = performance.now()
    return { located: fresh, sent: await inspect(request, fresh.real), statStartedAt }
  }

  /** A file resolved and stat-ed: answered from the small-file cache when it can be. */
  async function serveResolvedFile (request: FastifyRequest, reply: FastifyReply, key: string, real: string, sent: send.FileSendResult, statStartedAt: number): Promise<FastifyReply> {
    const stats = sent.metadata.stat
    const answer = answerOf(sent)
    if (stats.size > SMALL_FILE) return await sendFile(request, reply, answer, async () => await streamBody(real, stats.size))
    return await sendFile(request, reply, answer, async () => {
      const known = small.same(key, stats, statStartedAt)
      if (known !== undefined) return bufferBody(known.body)
      const body = await readSmallFile(real, stats.size)
      if (answer.statusCode === 200) small.keep(key, real, stats, { headers: answer.headers, body, etag: answer.etag, lastModified: answer.lastModified })
      return bufferBody(body)
    })
  }

  async function serveFolder (request: FastifyRequest, reply: FastifyReply, located: Located): Promise<FastifyReply> {
    const { real, segments, trailingSlash, query } = located
    if (!trailingSlash) {
      // Built from the normalised segments, never from the raw path, so `//evil.example/..`
      // redirects to `/` and a Location can never start with `//` or `/\`.
      const location = urlPathOf(segments, true) + (query === '' ? '' : '?' + query)
      return await reply.code(301).header('location', location).send()
    }
    for (const name of index) {
      // A listing hides only what serving would refuse too (broken or escaping links,
      // FIFOs), and dotfiles: a fresh one without the name means no index here.
      if ((dotfiles || !name.startsWith('.')) && listings.hasFile(real, name) === false) continue
      const indexReal = await resolveInRoot(root, [...segments, name], followSymlinks)
      if (indexReal === null || exclude.some((dir) => isInside(dir, indexReal))) continue
      const statStartedAt = performance.now()
      const sent = await inspect(request, indexReal).catch(() => null)
      if (sent?.type === 'file') return await serveResolvedFile(request, reply, [...segments, name].join('/'), indexReal, sent, statStartedAt)
    }

    const sort = queryValue<SortKey>(request, 'sort', SORT_KEYS) ?? 'name'
    const order = queryValue<SortOrder>(request, 'order', SORT_ORDERS) ?? 'asc'
    const format = queryValue(request, 'format', ['html', 'json'] as const) ??
      (new Negotiator(request.raw).mediaType(LISTING_TYPES) === 'application/json' ? 'json' : 'html')
    const urlPath = segments.length === 0 ? '/' : `/${segments.join('/')}/`
    const entries = await listings.entries(real, async () => await readListing(real, { root, dotfiles, followSymlinks }))
      .catch((error: unknown) => { throw fsHttpError(error) })
    // The URL path is part of the key: a folder reached through a symlink has another title.
    const page = listings.view(real, `${format} ${sort} ${order} ${urlPath}`, () => {
      const sorted = sortEntries([...entries], sort, order)
      return format === 'json' ? renderListingJson(urlPath, sorted) : renderListingHtml(urlPath, sorted, sort, order)
    })
    return await reply.headers(LISTING_HEADERS).type(format === 'json' ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8').send(page)
  }

  app.route({
    method: READ_METHODS,
    url: '/*',
    handler: async (request, reply) => {
      const name = named(request)
      // Memory answers a small file only while no validator needs a fresh stat.
      const hot = name.trailingSlash || isConditional(request) ? undefined : small.hot(name.key)
      if (hot !== undefined) return await sendFile(request, reply, { statusCode: 200, size: hot.body.length, ...hot }, async () => bufferBody(hot.body))
      const { located, sent, statStartedAt } = await locateAndInspect(request, name)
      if (sent.type === 'directory') return await serveFolder(request, reply, located)
      if (sent.type === 'error') throw httpError(sent.statusCode)
      // `/a.txt/` names a folder that does not exist, as on any POSIX path.
      if (located.trailingSlash) throw httpError(404)
      resolutions.remember(located.key, located.real, sent.metadata.stat)
      return await serveResolvedFile(request, reply, located.key, located.real, sent, statStartedAt)
    }
  })

  app.route({
    method: app.supportedMethods.filter((m) => !READ_METHODS.includes(m)),
    url: '/*',
    handler: async (request, reply) => {
      await locate(named(request))
      return await reply.code(405).header('allow', ALLOW).send({ statusCode: 405, error: 'Method Not Allowed', message: `${request.method} is not allowed here; use ${ALLOW}` })
    }
  })
}

export default staticFiles
