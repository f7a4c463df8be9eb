// A script's stderr, as log lines, with a cap on how much of it one request may log.
// The cap is what bounds memory: a script can write faster than any log can take it
// (100 MB of stderr once took the server from 73 to 222 MB of RSS, and it was not
// given back), and a script that echoes request data to stderr lets a client choose
// how much. Past the cap, one line says so and the rest is read and dropped at the
// pipe's pace: the script is not stalled on a full pipe, and nothing accumulates.
import type { Readable } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'

/** Longer stderr lines are logged in pieces of this many characters. */
export const STDERR_LINE_LIMIT = 8192

/** Bytes of stderr one script may log by default. */
export const DEFAULT_STDERR_MAX = 64 * 1024

export interface StderrSink {
  /** Each line, without its line end. */
  onLine: (line: string) => void
  /** Once, when the script wrote more than `max` bytes; nothing is logged after it. */
  onTruncated: (max: number) => void
  /** Bytes logged at most; 0 logs nothing but the truncation notice. */
  max: number
}

/** Splits `stream` into lines for `sink` until `sink.max` bytes, then drains it. */
export function readStderr (stream: Readable, { onLine, onTruncated, max }: StderrSink): void {
  const decoder = new StringDecoder('utf8')
  let partial = ''
  let room = max
  const emit = (line: string): void => { onLine(line.endsWith('\r') ? line.slice(0, -1) : line) }
  const take = (text: string): void => {
    const lines = (partial + text).split('\n')
    partial = lines.pop() as string
    lines.forEach(emit)
    for (; partial.length > STDERR_LINE_LIMIT; partial = partial.slice(STDERR_LINE_LIMIT)) emit(partial.slice(0, STDERR_LINE_LIMIT))
  }
  const onData = (chunk: Buffer): void => {
    if (chunk.length <= room) {
      room -= chunk.length
      take(decoder.write(chunk))
      return
    }
    take(decoder.write(chunk.subarray(0, room)))
    const rest = partial + decoder.end()
    if (rest !== '') emit(rest)
    partial = ''
    room = 0
    onTruncated(max)
    // Still read, so the script can go on writing, but no longer looked at.
    stream.off('data', onData).off('end', onEnd).resume()
  }
  const onEnd = (): void => {
    const rest = partial + decoder.end()
    if (rest !== '') emit(rest)
  }
  stream.on('data', onData).on('end', onEnd)
}
