// A script that announces a Content-Length must keep to it: extra bytes on a
// keep-alive connection would be read as the start of the next response (the
// framing belongs to the server, RFC 3875 6.3.4), and too few would leave the
// client waiting for bytes that never come.
import { Transform } from 'node:stream'

export interface LengthMismatch {
  /** More bytes came; they were dropped and the response is complete. */
  onExtra: (reason: string) => void
  /** Fewer bytes came; called before the end passes on, so the caller can cut the connection. */
  onShort: (reason: string) => void
}

/** Passes at most `length` bytes and drops the rest. */
export function exactLength (length: number, { onExtra, onShort }: LengthMismatch): Transform {
  let seen = 0
  return new Transform({
    transform (chunk: Buffer, _encoding, callback) {
      const room = length - seen
      seen += chunk.length
      if (chunk.length <= room) return callback(null, chunk)
      if (room >= 0) {
        if (room > 0) this.push(chunk.subarray(0, room))
        onExtra(`wrote more than its Content-Length of ${length} bytes; the rest was dropped`)
      }
      callback()
    },
    flush (callback) {
      if (seen < length) onShort(`wrote ${seen} of the ${length} bytes its Content-Length announced`)
      callback()
    }
  })
}
