// Answers for one opened file: validators and conditional requests, ranges, then
// the body, all from the descriptor the lookup opened and proved (RFC 9110).
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Readable } from 'node:stream'
import { httpError } from '../../src/errors.js'
import { prefersHtml, sendError } from '../../src/error-reply.js'
import { WHOLE_FILE_BYTES, type Lookup, type Opened } from '../../src/lookup/index.js'
import { judgedForm, planCoding, sendCoded, type FileCoding, type Form } from './compressed-response.js'
import { conditionalStatus, fileHeaders, type FileHeaders } from './file-headers.js'
import { FileStream } from './file-stream.js'
import { multipartRanges } from './multipart-ranges.js'
import { contentRange, decideRange, ifRangeHolds, type ByteRange } from './ranges.js'

/**
 * `Cache-Control` for files kept `seconds` by caches; 0: they may store a file but
 * must ask again (a cheap 304) before reusing it, so a change shows at once.
 */
export function cacheControl (seconds: number): string {
  return seconds === 0 ? 'public, no-cache' : `public, max-age=${seconds}`
}

/** The bytes of a range of `file`, as a buffer slice for small files, a stream of the descriptor for large ones. */
async function slicer (file: Opened, lookup: Lookup): Promise<(range?: ByteRange) => Readable | Buffer> {
  const size = file.stats.size
  // Read whole (and kept by the cached lookup) up to WHOLE_FILE_BYTES; larger files stream.
  if (size <= WHOLE_FILE_BYTES) {
    const data = await lookup.readSmall(file)
    return (range) => range === undefined ? data : data.subarray(range.start, range.end + 1)
  }
  return (range) => new FileStream(file.descriptor, range?.start ?? 0, range?.end ?? size - 1)
}

/**
 * Sends `file`; the caller still releases its own hold on the descriptor afterwards.
 * With `coding`, a client that takes a content coding may get the file compressed
 * (or its precompressed sibling); without, the file goes out as it is.
 */
export async function sendFile (request: FastifyRequest, reply: FastifyReply, file: Opened, lookup: Lookup, maxAge = 0, coding?: FileCoding): Promise<FastifyReply> {
  const caching = cacheControl(maxAge)
  const headers = fileHeaders(file.real, file.stats)
  const identity: Form = { coding: 'identity', etag: headers.ETag, lastModified: headers['Last-Modified'] }
  const plan = coding === undefined ? undefined : await planCoding(request, reply, file, lookup, identity, headers['Content-Type'], coding)
  try {
    // Judged against the form the client holds, if it takes it; a 304 names that form's tag
    // and never a Content-Encoding, which would relabel a cache's stored copy.
    const judged = plan === undefined ? identity : judgedForm(request.headers['if-none-match']?.toString(), plan)
    const status = conditionalStatus(request.headers, judged.etag, judged.lastModified)
    if (status === 412) throw httpError(412)
    if (status === 304) {
      return await reply.code(304).headers({ etag: judged.etag, 'last-modified': judged.lastModified, 'cache-control': caching }).send()
    }
    const chosen = plan?.chosen
    if (chosen !== undefined && chosen.coding !== 'identity') {
      return await sendCoded(request, reply, file, lookup, { ...chosen, coding: chosen.coding }, headers['Content-Type'], caching)
    }
    return await sendIdentity(request, reply, file, lookup, headers, caching)
  } finally {
    plan?.chosen.sibling?.descriptor.release()
  }
}

/** The file itself, whole or in ranges. */
async function sendIdentity (request: FastifyRequest, reply: FastifyReply, file: Opened, lookup: Lookup, headers: FileHeaders, caching: string): Promise<FastifyReply> {
  const size = file.stats.size
  const decision = ifRangeHolds(request.headers['if-range']?.toString(), headers.ETag, headers['Last-Modified'])
    ? decideRange(request.headers.range, size)
    : { kind: 'full' as const }
  if (decision.kind === 'unsatisfiable') {
    reply.code(416).header('content-range', `bytes */${size}`)
    // A browser gets the page every other error has; other clients the bare 416 as before.
    if (prefersHtml(request.headers.accept)) return await sendError(request, reply, 416, 'Range Not Satisfiable')
    return await reply.header('content-length', 0).send()
  }

  reply.headers(headers).header('cache-control', caching)
  const ranges = decision.kind === 'partial' ? decision.ranges : []
  const multipart = ranges.length > 1 ? multipartRanges(size, headers['Content-Type'], ranges) : undefined
  if (multipart !== undefined) {
    reply.code(206).header('content-type', multipart.contentType).header('content-length', multipart.contentLength)
  } else if (ranges[0] !== undefined) {
    reply.code(206).header('content-range', contentRange(ranges[0], size)).header('content-length', ranges[0].end - ranges[0].start + 1)
  } else {
    reply.header('content-length', size)
  }
  if (request.method === 'HEAD') return await reply.send()
  const slice = await slicer(file, lookup)
  return await reply.send(multipart !== undefined ? multipart.stream(slice) : slice(ranges[0]))
}
