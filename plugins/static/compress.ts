// The compressors, from Node's zlib: whole bodies (kept by the cached lookup, so
// worth a slower, tighter setting) and streams (big files, compressed as they are
// sent, so set for speed). zstd only where this Node has it (22.15+, 23.8+).
import zlib from 'node:zlib'
import type { Transform } from 'node:stream'
import type { Coding } from './encoding.js'

type ZstdZlib = typeof zlib & {
  zstdCompress?: (buffer: Buffer, options: object, callback: (error: Error | null, result: Buffer) => void) => void
  createZstdCompress?: (options: object) => Transform
  constants: typeof zlib.constants & { ZSTD_c_compressionLevel?: number }
}
const z = zlib as ZstdZlib

/** Whether this Node can make zstd. */
export const HAS_ZSTD = typeof z.createZstdCompress === 'function' && typeof z.zstdCompress === 'function'

/** The codings servekit makes on the fly, in its order of preference: brotli is the tightest for text. */
export const DYNAMIC_CODINGS: readonly Coding[] = HAS_ZSTD ? ['br', 'zstd', 'gzip'] : ['br', 'gzip']

/**
 * For bodies compressed as they stream (over 1 MiB), gzip first: a brotli stream holds
 * 3-4.5 MB of the compressor's memory for as long as its client takes to read (200 slow
 * clients took RSS from 73 MB to 965 MB), a gzip one about 256 KiB.
 */
export const STREAM_CODINGS: readonly Coding[] = HAS_ZSTD ? ['gzip', 'zstd', 'br'] : ['gzip', 'br']

/** How much work a body is worth: `kept` ones are compressed once and served many times. */
export type Effort = 'kept' | 'each'

// Measured on this machine (docs/performance.md): brotli 4-7 costs 1-3 ms of CPU for
// 64-168 KB of JavaScript or listing HTML; 10 gives 6-10% fewer bytes at 25-40 ms,
// 11 another 2% at 65-140 ms. A body kept for every later request pays 10 once;
// larger than KEPT_TIGHT it would make a first request wait too long.
const BROTLI_EACH = 5
const BROTLI_KEPT = 10
const KEPT_TIGHT = 256 * 1024
const GZIP_EACH = 6
const GZIP_KEPT = 9
const ZSTD_EACH = 3
const ZSTD_KEPT = 12
// A 1 MiB window (lgwin 20) instead of 4 MiB: a stream's memory stays a few MiB
// whatever the file's size, and text gains little from a longer reach.
const BROTLI_WINDOW = 20

function brotliOptions (quality: number, size?: number): zlib.BrotliOptions {
  const params: Record<number, number> = {
    [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
    [zlib.constants.BROTLI_PARAM_QUALITY]: quality,
    [zlib.constants.BROTLI_PARAM_LGWIN]: BROTLI_WINDOW
  }
  if (size !== undefined) params[zlib.constants.BROTLI_PARAM_SIZE_HINT] = size
  return { params }
}

function zstdOptions (level: number): object {
  return { params: { [z.constants.ZSTD_c_compressionLevel ?? 100]: level } }
}

/** `body` compressed with `coding`, on the thread pool (the event loop keeps answering meanwhile). */
export async function compressBody (body: Buffer, coding: Coding, effort: Effort): Promise<Buffer> {
  const kept = effort === 'kept'
  return await new Promise((resolve, reject) => {
    const done = (error: Error | null, result: Buffer): void => { error === null ? resolve(result) : reject(error) }
    if (coding === 'br') zlib.brotliCompress(body, brotliOptions(kept && body.length <= KEPT_TIGHT ? BROTLI_KEPT : BROTLI_EACH, body.length), done)
    else if (coding === 'gzip') zlib.gzip(body, { level: kept ? GZIP_KEPT : GZIP_EACH }, done)
    else if (z.zstdCompress !== undefined) z.zstdCompress(body, zstdOptions(kept ? ZSTD_KEPT : ZSTD_EACH), done)
    else reject(new Error('zstd is not available in this Node'))
  })
}

/** A compressing stream for a body of `size` bytes, set for speed. */
export function compressStream (coding: Coding, size: number): Transform {
  if (coding === 'br') return zlib.createBrotliCompress(brotliOptions(BROTLI_EACH, size))
  if (coding === 'gzip') return zlib.createGzip({ level: GZIP_EACH })
  if (z.createZstdCompress === undefined) throw new Error('zstd is not available in this Node')
  return z.createZstdCompress(zstdOptions(ZSTD_EACH))
}
