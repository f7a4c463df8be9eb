// Most scripts print a page and exit: by the time their header block is read, the
// rest of their output and its end are already waiting. Taken whole, that body goes
// out as one Buffer with a Content-Length, in the same write as the headers, where a
// stream costs a pipe, chunked framing and a write per chunk. A script still writing
// loses nothing but the rest of this turn of the event loop: what came is put back,
// in order, and the output streams as before.
import type { Readable } from 'node:stream'

/** The most output held back to be sent whole; past it, the output streams. */
export const WHOLE_OUTPUT_LIMIT = 256 * 1024

/** The rest of `stdout` if it ends within this turn of the event loop; otherwise undefined, with `stdout` paused and unchanged. */
export async function outputIfEnded (stdout: Readable, limit = WHOLE_OUTPUT_LIMIT): Promise<Buffer | undefined> {
  // Ended already, before anyone read it (a socket from the spawner does that): nothing more comes.
  if (stdout.readableEnded) return Buffer.alloc(0)
  return await new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    const stop = (): void => {
      clearImmediate(turn)
      stdout.off('data', onData).off('end', onEnd)
    }
    const giveBack = (): void => {
      stop()
      stdout.pause()
      if (size > 0 && !stdout.destroyed) stdout.unshift(Buffer.concat(chunks, size))
      resolve(undefined)
    }
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk)
      size += chunk.length
      if (size > limit) giveBack()
    }
    const onEnd = (): void => {
      stop()
      resolve(Buffer.concat(chunks, size))
    }
    // Immediates run after this turn's I/O callbacks, and the stream's own nextTicks
    // (buffered data, then 'end') before them: output already waiting has come by then.
    const turn = setImmediate(giveBack)
    stdout.on('data', onData).once('end', onEnd)
    // Paused after its header block: a 'data' listener alone would not restart it.
    stdout.resume()
  })
}
