// Serves a folder: files, index files and listings, every one of them reached
// through the file lookup (src/lookup), which opens first and proves what it opened
// lies inside the root. Each request is decided from what the request names and
// what the lookup opened, then answered; the descriptor goes back however it ends.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import Negotiator from 'negotiator'
import { parseUrlPath, splitTarget, urlPathOf } from '../../src/safe-path.js'
import { fsHttpError, httpError } from '../../src/errors.js'
import { sendError } from '../../src/error-reply.js'
import { createLookup, type Lookup, type Opened } from '../../src/lookup/index.js'
import type { CacheLimits } from '../../src/lookup/cached.js'
import { realDirectory } from '../../src/real-directory.js'
import { sortEntries, SORT_KEYS, SORT_ORDERS, type ListingEntry, type SortKey, type SortOrder } from './listing.js'
import { renderReadme } from './readme.js'
import { listingCsp, renderListingHtml, renderListingJson, type ListingActions } from './listing-html.js'
import { sendFile } from './file-response.js'
import { sendPage, type CompressionOptions } from './compressed-response.js'
import { withoutSiblings } from './precompressed.js'
import { spaFallback } from './spa.js'

export interface StaticFilesOptions {
  /** Folder to serve. Resolved with realpath once, at registration. */
  root: string
  /** Serve and list names starting with `.` (`/.well-known/` is always allowed). */
  dotfiles?: boolean
  /** Allow symlinks whose real target lies outside the root. */
  followSymlinks?: boolean
  /** Files that stand for their folder, tried in order. */
  index?: readonly string[]
  /** Real folders never served from, whatever URL leads there (e.g. the CGI scripts' folder). */
  exclude?: readonly string[]
  /**
   * First URL segments that belong to another route (e.g. `cgi-bin`): never served
   * from disk, even when an encoded slash (`/cgi-bin%2Fhello.py`) slips past the router.
   */
  reserved?: readonly string[]
  /** false: nothing cached (every request reads the disk); else the cache's limits. Ignored with `lookup`. */
  cache?: false | Partial<CacheLimits>
  /** A lookup built by the app (buildApp makes one); default: one made from the options above, closed with the app. */
  lookup?: Lookup
  /** Show a folder's README (README.md, README) under its HTML listing. Default true. */
  readme?: boolean
  /** Seconds caches may reuse a file without asking (`Cache-Control: max-age`); 0, the default: `no-cache`. */
  maxAge?: number
  /** Compress compressible files and listings for clients that take br, zstd or gzip (docs/serving.md). Default true. */
  compress?: boolean
  /** Serve `X.br`, `X.zst`, `X.gz` beside a file `X` for `X` to clients that take them, and leave them out of listings. Default false. */
  precompressed?: boolean
  /** Single-page app: a missing path asked for as HTML gets this file (a name under the root) with 200. */
  spa?: string
  /** Methods another plugin answers on `/*` (the upload plugin's PUT, POST, MKCOL): left out of the 405 route. */
  writeMethods?: readonly string[]
  /** Controls for other plugins' features on HTML listings (the upload form, the zip link); each off by default. */
  listingActions?: ListingActions
  /** Answers `DIR/?download=…` (the archive plugin's `folderArchive`); without it the query is ignored and the listing shown. */
  archive?: FolderArchive
}

/** What a folder download is given: the folder as the lookup opened it (held until the call settles) and the lookup to walk it with. */
export interface ArchiveTarget { segments: string[], urlPath: string, folder: Opened, lookup: Lookup }
export type FolderArchive = (request: FastifyRequest, reply: FastifyReply, target: ArchiveTarget) => Promise<FastifyReply>

const READ_METHODS = ['GET', 'HEAD']
// Looked for among a listing's entries, in this order.
const README_NAMES = ['README.md', 'readme.md', 'README.markdown', 'README']
// A README longer than this is left out rather than rendered on every listing.
const README_MAX_BYTES = 256 * 1024
const LISTING_TYPES = ['text/html', 'application/json']
const LISTING_HEADERS = {
  'x-content-type-options': 'nosniff',
  vary: 'Accept'
}

function queryValue<T extends string> (request: FastifyRequest, name: string, allowed: readonly T[]): T | undefined {
  const value = (request.query as Record<string, unknown>)[name]
  if (value === undefined) return undefined
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T
  throw httpError(400, `${name} must be one of ${allowed.join(', ')}`)
}

interface Named { segments: string[], trailingSlash: boolean, query: string }

/** What the request names, decoded and checked, without touching the disk. */
function nameOf (request: FastifyRequest, dotfiles: boolean, reserved: readonly string[]): Named {
  const target = splitTarget(request.raw.url ?? '/')
  const parsed = parseUrlPath(target.path, dotfiles)
  if (!parsed.ok) throw httpError(parsed.status)
  if (parsed.segments.length > 0 && reserved.includes(parsed.segments[0]!)) throw httpError(404)
  return { segments: parsed.segments, trailingSlash: parsed.trailingSlash, query: target.query }
}

/** Opens what `segments` name, or undefined when there is nothing servable there. */
async function openIfThere (lookup: Lookup, segments: readonly string[]): Promise<Opened | undefined> {
  return await lookup.open(segments).catch(() => undefined)
}

const staticFiles: FastifyPluginAsync<StaticFilesOptions> = async (app, options) => {
  const dotfiles = options.dotfiles ?? false
  const index = options.index ?? ['index.html', 'index.htm']
  const reserved = options.reserved ?? []
  const showReadme = options.readme ?? true
  const maxAge = options.maxAge ?? 0
  const coding: CompressionOptions = { compress: options.compress ?? true, precompressed: options.precompressed ?? false }
  const spa = options.spa?.split('/').filter((segment) => segment !== '')
  const writeMethods = options.writeMethods ?? []
  // What a 405 offers: the reads, and the writes another plugin answers here.
  const allow = [...READ_METHODS, ...writeMethods].join(', ')
  const actions = options.listingActions ?? {}
  const archive = options.archive
  const listingHeaders = { ...LISTING_HEADERS, 'content-security-policy': listingCsp(actions) }
  let lookup = options.lookup
  if (lookup === undefined) {
    const root = await realDirectory(options.root, 'root')
    const exclude = await Promise.all((options.exclude ?? []).map(async (dir) => await realDirectory(dir, 'exclude')))
    const own = await createLookup({ root, dotfiles, followSymlinks: options.followSymlinks ?? false, exclude }, {
      cache: options.cache,
      warn: (message) => { app.log.warn(message) }
    })
    app.addHook('onClose', async () => { own.close() })
    lookup = own
  }
  const files = lookup

  // Requests for other methods must reach the 405 handler whatever their body.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, _payload, done) => { done(null) })

  /** The text of the folder's README, through the lookup like any file; undefined when there is none to show. */
  async function readmeOf (segments: readonly string[], entries: readonly ListingEntry[]): Promise<string | undefined> {
    const name = README_NAMES.find((candidate) => entries.some((entry) => entry.type === 'file' && entry.name === candidate))
    if (name === undefined) return undefined
    const file = await openIfThere(files, [...segments, name])
    if (file === undefined) return undefined
    try {
      if (file.kind !== 'file' || file.stats.size > README_MAX_BYTES) return undefined
      return (await files.readSmall(file)).toString('utf8')
    } catch {
      return undefined
    } finally {
      file.descriptor.release()
    }
  }

  async function serveFolder (request: FastifyRequest, reply: FastifyReply, name: Named, folder: Opened): Promise<FastifyReply> {
    const { segments, trailingSlash, query } = name
    if (!trailingSlash) {
      // Built from the normalised segments, never from the raw path, so `//evil.example/..`
      // redirects to `/` and a Location can never start with `//` or `/\`.
      const location = urlPathOf(segments, true) + (query === '' ? '' : '?' + query)
      return await reply.code(301).header('location', location).send()
    }
    if (archive !== undefined && (request.query as Record<string, unknown>).download !== undefined) {
      return await archive(request, reply, { segments, urlPath: urlPathOf(segments, true), folder, lookup: files })
    }
    for (const file of index) {
      // A current listing without the name saves looking for it.
      if ((!dotfiles && file.startsWith('.')) || files.lacks(folder, file)) continue
      const found = await openIfThere(files, [...segments, file])
      if (found === undefined) continue
      try {
        if (found.kind === 'file') return await sendFile(request, reply, found, files, maxAge, { ...coding, segments: [...segments, file] })
      } finally {
        found.descriptor.release()
      }
    }

    const sort = queryValue<SortKey>(request, 'sort', SORT_KEYS) ?? 'name'
    const order = queryValue<SortOrder>(request, 'order', SORT_ORDERS) ?? 'asc'
    const format = queryValue(request, 'format', ['html', 'json'] as const) ??
      (new Negotiator(request.raw).mediaType(LISTING_TYPES) === 'application/json' ? 'json' : 'html')
    const urlPath = segments.length === 0 ? '/' : `/${segments.join('/')}/`
    const listing = await files.listing(folder).catch((error: unknown) => { throw fsHttpError(error) })
    const readme = format === 'html' && showReadme ? await readmeOf(segments, listing.entries) : undefined
    // The URL path is part of the key: a folder reached through a symlink has another title.
    // A README written since is a change in the folder, which drops the kept listing.
    const viewKey = `${format} ${sort} ${order}${coding.precompressed ? ' p' : ''} ${urlPath}`
    const render = (): string => {
      const sorted = sortEntries([...(coding.precompressed ? withoutSiblings(listing.entries) : listing.entries)], sort, order)
      return format === 'json'
        ? renderListingJson(urlPath, sorted)
        : renderListingHtml(urlPath, sorted, sort, order, readme === undefined ? { actions } : { actions, readmeHtml: renderReadme(readme) })
    }
    return await sendPage(request, reply.headers(listingHeaders).type(format === 'json' ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8'), listing, viewKey, render, coding)
  }

  /** The single-page app's page for a path that is one of its routes: never kept by caches under that URL. */
  async function serveApp (request: FastifyRequest, reply: FastifyReply, page: readonly string[]): Promise<FastifyReply> {
    const file = await files.open(page)
    try {
      if (file.kind !== 'file') throw httpError(404)
      // The same URL is a 404 to a client that does not take HTML.
      reply.header('vary', 'Accept')
      return await sendFile(request, reply, file, files, 0, { ...coding, segments: page })
    } finally {
      file.descriptor.release()
    }
  }

  app.route({
    method: READ_METHODS,
    url: '/*',
    handler: async (request, reply) => {
      const name = nameOf(request, dotfiles, reserved)
      const opened = await files.open(name.segments).catch((error: unknown) => {
        if (spa === undefined || (error as { statusCode?: number }).statusCode !== 404 || !spaFallback(request.method, request.headers, name.segments, splitTarget(request.raw.url ?? '/').path)) throw error
        return undefined
      })
      if (opened === undefined) return await serveApp(request, reply, spa!)
      try {
        if (opened.kind === 'folder') return await serveFolder(request, reply, name, opened)
        // `/a.txt/` names a folder that does not exist, as on any POSIX path.
        if (name.trailingSlash) throw httpError(404)
        return await sendFile(request, reply, opened, files, maxAge, { ...coding, segments: name.segments })
      } finally {
        opened.descriptor.release()
      }
    }
  })

  app.route({
    method: app.supportedMethods.filter((m) => !READ_METHODS.includes(m) && !writeMethods.includes(m)),
    url: '/*',
    handler: async (request, reply) => {
      // Only what exists gets a 405; anything else is the 404 a GET would get.
      ;(await files.open(nameOf(request, dotfiles, reserved).segments)).descriptor.release()
      // A page for browsers, the JSON shape for everyone else, like every other error.
      return await sendError(request, reply.header('allow', allow), 405, `${request.method} is not allowed here; use ${allow}`)
    }
  })
}

export default staticFiles
