// Coded answers: which form of a file or listing a request gets (decided from its
// Accept-Encoding, its Range and the file), then the act of sending it. Small and
// mid-sized files and listings are compressed whole through the lookup, which keeps
// the result under the file's identity (or with the listing) when it is cached;
// big files stream through the compressor.
import { pipeline } from 'node:stream'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { WHOLE_FILE_BYTES, type Listing, type Lookup, type Opened } from '../../src/lookup/index.js'
import { compressBody, compressStream, DYNAMIC_CODINGS, STREAM_CODINGS } from './compress.js'
import { acceptsIdentity, chooseCoding, codedTag, compressible, MIN_COMPRESS, rankCodings, varyWith, type Coding, type ContentCoding } from './encoding.js'
import { fileHeaders } from './file-headers.js'
import { FileStream } from './file-stream.js'
import { findSibling, SIBLING_CODINGS } from './precompressed.js'

export interface CompressionOptions {
  /** Compress compressible files and listings on the fly for clients that take it. */
  compress: boolean
  /** Serve `X.br` / `X.zst` / `X.gz` beside `X` for `X`. */
  precompressed: boolean
}

/** How a file may be coded, and by which URL segments it was opened (its siblings are found beside them). */
export interface FileCoding extends CompressionOptions {
  segments: readonly string[]
}

/**
 * Files up to this size are compressed whole (and, in the cached lookup, kept so):
 * a 100 KiB bundle is then compressed once, not per request. Larger ones stream.
 */
export const COMPRESS_WHOLE = 1024 * 1024

/** One form of a file: its coding, its validators, and for a precompressed one the sibling it is read from. */
export interface Form {
  coding: ContentCoding
  etag: string
  lastModified: string
  sibling?: Opened
}

export interface Plan {
  chosen: Form
  /** Other forms the client takes, whose tags an `If-None-Match` may name for a 304. */
  others: Form[]
}

const dynamicCodings = (file: Opened, coding: CompressionOptions): readonly Coding[] =>
  coding.compress && file.stats.size >= MIN_COMPRESS ? file.stats.size > COMPRESS_WHOLE ? STREAM_CODINGS : DYNAMIC_CODINGS : []

/**
 * Compressing streams at once, for the whole process; past it, a big file goes out as it
 * is. Each holds its compressor's memory while its client reads, and slow clients are
 * free to be slow: without a bound, memory grew with every connection that asked.
 */
export const MAX_COMPRESSING_STREAMS = 16
let compressingStreams = 0

/**
 * The form `request` gets of `file`, or undefined when no coded form could ever be
 * sent for it (then nothing varies). Sets `Vary: Accept-Encoding` whenever one could,
 * identity answers included, so a cache never hands one client's form to another.
 * A range request always gets the file itself: ranges of coded bytes would change
 * with the compressor, and a 206 must stay the bytes of the file.
 */
export async function planCoding (request: FastifyRequest, reply: FastifyReply, file: Opened, lookup: Lookup, identity: Form, contentType: string, coding: FileCoding): Promise<Plan | undefined> {
  if (!compressible(contentType)) return undefined
  const dynamic = dynamicCodings(file, coding)
  if (dynamic.length === 0 && !coding.precompressed) return undefined
  reply.header('vary', varyWith(reply.getHeader('vary')?.toString(), 'Accept-Encoding'))
  const accept = request.headers['accept-encoding']?.toString()
  if (request.headers.range !== undefined || accept === undefined) return { chosen: identity, others: [] }
  const others = acceptsIdentity(accept) ? [identity] : []

  if (coding.precompressed) {
    const found = await findSibling(lookup, coding.segments, file, rankCodings(accept, SIBLING_CODINGS))
    if (found !== undefined) {
      const own = fileHeaders(found.file.real, found.file.stats)
      return { chosen: { coding: found.coding, etag: codedTag(own.ETag, found.coding, false), lastModified: own['Last-Modified'], sibling: found.file }, others }
    }
  }
  const chosen = chooseCoding(accept, dynamic)
  if (chosen === 'identity') return { chosen: identity, others: [] }
  if (file.stats.size > COMPRESS_WHOLE && compressingStreams >= MAX_COMPRESSING_STREAMS) return { chosen: identity, others: [] }
  return { chosen: { coding: chosen, etag: codedTag(identity.etag, chosen, true), lastModified: identity.lastModified }, others }
}

/** The form an `If-None-Match` is judged against: one the client holds and takes, else the one chosen. */
export function judgedForm (ifNoneMatch: string | undefined, plan: Plan): Form {
  if (ifNoneMatch === undefined) return plan.chosen
  const held = ifNoneMatch.split(',').map((tag) => tag.trim().replace(/^W\//, ''))
  const holds = (form: Form): boolean => held.includes(form.etag.replace(/^W\//, ''))
  return holds(plan.chosen) ? plan.chosen : plan.others.find(holds) ?? plan.chosen
}

/** Sends `file` in the coded form `form` (a 200: conditionals were judged before). */
export async function sendCoded (request: FastifyRequest, reply: FastifyReply, file: Opened, lookup: Lookup, form: Form & { coding: Coding }, contentType: string, caching: string): Promise<FastifyReply> {
  // No Accept-Ranges: a range request gets the file itself, not ranges of this form.
  reply.headers({ 'content-type': contentType, 'content-encoding': form.coding, etag: form.etag, 'last-modified': form.lastModified, 'cache-control': caching })
  const head = request.method === 'HEAD'
  if (form.sibling !== undefined) {
    const size = form.sibling.stats.size
    reply.header('content-length', size)
    if (head) return await reply.send()
    return await reply.send(size <= WHOLE_FILE_BYTES ? await lookup.readSmall(form.sibling) : new FileStream(form.sibling.descriptor, 0, size - 1))
  }
  const size = file.stats.size
  const coding = form.coding
  if (size <= COMPRESS_WHOLE) {
    // A HEAD gets the Content-Length a GET would: the cached lookup has the bytes after the first.
    const body = await lookup.variant(file, coding, async (whole, kept) => await compressBody(whole, coding, kept ? 'kept' : 'each'))
    reply.header('content-length', body.length)
    return head ? await reply.send() : await reply.send(body)
  }
  // Streamed: the length is known only at the end, so the answer is chunked (a HEAD says nothing of it either).
  if (head) return await reply.send()
  // The stream holds the descriptor; whichever end fails or is cut off destroys both, and the descriptor goes back.
  compressingStreams++
  const body = pipeline(new FileStream(file.descriptor, 0, size - 1), compressStream(coding, size), () => { compressingStreams-- })
  return await reply.send(body)
}

/**
 * Sends a listing page in the coding the request takes: compressed once per
 * listing and coding through `listing.variant` (kept with the listing while it is
 * current, made again after it changes), identity below MIN_COMPRESS.
 */
export async function sendPage (request: FastifyRequest, reply: FastifyReply, listing: Listing, key: string, render: () => string, coding: CompressionOptions): Promise<FastifyReply> {
  if (!coding.compress) return await reply.send(listing.view(key, render))
  reply.header('vary', varyWith(reply.getHeader('vary')?.toString(), 'Accept-Encoding'))
  const chosen = chooseCoding(request.headers['accept-encoding']?.toString(), DYNAMIC_CODINGS)
  const page = listing.view(key, render)
  if (chosen === 'identity' || page.length < MIN_COMPRESS) return await reply.send(page)
  const body = await listing.variant(key, chosen, render, async (whole, kept) => await compressBody(whole, chosen, kept ? 'kept' : 'each'))
  return await reply.header('content-encoding', chosen).send(body)
}
