// Reads a script's stdout up to the end of its header block and leaves the rest of
// the stream, paused, for the body.
import type { Readable } from 'node:stream'
import { HEADER_BLOCK_LIMIT, scanHeaderBlock, type HeaderField } from './response.js'

export type HeaderBlockResult =
  | { kind: 'complete', fields: HeaderField[] }
  | { kind: 'invalid', reason: string }
  /** Output ended first; `received` says whether anything came at all. */
  | { kind: 'ended', received: number }

export async function readHeaderBlock (stdout: Readable, limit = HEADER_BLOCK_LIMIT): Promise<HeaderBlockResult> {
  // A script's stdout from the spawner is a socket, and one whose script wrote nothing
  // and exited may have ended before anyone read it: no 'end' will come again.
  if (stdout.readableEnded) return { kind: 'ended', received: 0 }
  return await new Promise((resolve) => {
    let received: Buffer = Buffer.alloc(0)
    const finish = (result: HeaderBlockResult): void => {
      stdout.off('data', onData).off('end', onEnd).off('error', onEnd).off('close', onEnd)
      resolve(result)
    }
    const onData = (chunk: Buffer): void => {
      const from = received.length - 2
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk])
      const scan = scanHeaderBlock(received, limit, from)
      if (scan.kind === 'incomplete') return
      stdout.pause()
      if (scan.kind === 'invalid') return finish(scan)
      if (scan.bodyStart < received.length) stdout.unshift(received.subarray(scan.bodyStart))
      finish({ kind: 'complete', fields: scan.fields })
    }
    const onEnd = (): void => { finish({ kind: 'ended', received: received.length }) }
    stdout.on('data', onData).once('end', onEnd).once('error', onEnd).once('close', onEnd)
  })
}
