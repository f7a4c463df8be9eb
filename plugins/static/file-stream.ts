// A byte range of an open descriptor as a Readable. Piped into an HTTP response (what
// Fastify does with a stream body), it skips the stream machinery and pumps through
// two reused buffers: a fresh buffer per read, as fs.createReadStream allocates, was
// measured to double the server's CPU per byte on a 64 MiB download (page faults on
// every new buffer, and garbage collections of the whole heap triggered by the
// external memory churn). Any other consumer gets an ordinary Readable.
import { read } from 'node:fs'
import type { ServerResponse } from 'node:http'
import { http } from '../../src/node-http.js'
import { Readable } from 'node:stream'
import { httpError } from '../../src/errors.js'
import type { Descriptor } from '../../src/lookup/descriptor.js'

// 256 KiB read the fastest per CPU-second among 64 KiB to 1 MiB (bench, 64 MiB GET).
const CHUNK = 256 * 1024
// Reading the next chunk while the last one is being written: two buffers per download.
const IN_FLIGHT = 2
// Buffers kept between downloads; more are allocated under load and left to the GC.
const IDLE_MAX = 16

const idle: Buffer[] = []

function takeBuffer (): Buffer {
  return idle.pop() ?? Buffer.allocUnsafeSlow(CHUNK)
}

function giveBack (buffer: Buffer): void {
  if (idle.length < IDLE_MAX) idle.push(buffer)
}

function shrunk (): Error {
  // Its headers promised more bytes than are left: cut the response rather than end it short.
  return httpError(503, 'the file shrank while it was sent')
}

export class FileStream extends Readable {
  readonly #descriptor: Descriptor
  readonly #fd: number
  #position: number
  readonly #last: number
  #pumping = false
  /** Reads not yet called back: the descriptor is let go only after the last. */
  #reading = 0
  #destroyed: (() => void) | undefined

  /** Bytes `start` to `end` inclusive of `descriptor`, held until the stream is destroyed (ended, failed or cut off). */
  constructor (descriptor: Descriptor, start: number, end: number) {
    super({ highWaterMark: CHUNK })
    this.#descriptor = descriptor.retain()
    this.#fd = descriptor.fd
    this.#position = start
    this.#last = end
  }

  override _destroy (error: Error | null, callback: (error?: Error | null) => void): void {
    const done = (): void => {
      this.#descriptor.release()
      callback(error)
    }
    if (this.#reading === 0) done()
    else this.#destroyed = done
  }

  #remaining (): number {
    return Math.min(CHUNK, this.#last - this.#position + 1)
  }

  /** Reads the next bytes into `buffer` and hands over what came; a failed or short read destroys the stream. */
  #readChunk (buffer: Buffer, length: number, use: (chunk: Buffer) => void): void {
    this.#reading++
    read(this.#fd, buffer, 0, length, this.#position, (error, bytesRead) => {
      this.#reading--
      // Destroyed meanwhile (the client went away): the buffer is left to the GC, and
      // the descriptor can be let go now that no read uses it.
      if (this.destroyed) {
        const destroyed = this.#reading === 0 ? this.#destroyed : undefined
        this.#destroyed = undefined
        destroyed?.()
        return
      }
      if (error !== null || bytesRead === 0) {
        this.destroy(error ?? shrunk())
        return
      }
      this.#position += bytesRead
      use(bytesRead < buffer.length ? buffer.subarray(0, bytesRead) : buffer)
    })
  }

  override _read (): void {
    const length = this.#remaining()
    if (length <= 0) {
      this.push(null)
      return
    }
    this.#readChunk(Buffer.allocUnsafe(length), length, (chunk) => { this.push(chunk) })
  }

  override pipe<T extends NodeJS.WritableStream> (destination: T, options?: { end?: boolean }): T {
    // Only an HTTP response is known to be done with a chunk when its write callback
    // runs (the socket took the bytes); a PassThrough, say, would keep the buffer we reuse.
    if (!(destination instanceof http.ServerResponse) || this.#pumping || this.readableFlowing !== null) {
      return super.pipe(destination, options)
    }
    this.#pumping = true
    this.#pump(destination, options?.end !== false)
    return destination
  }

  #pump (response: ServerResponse, end: boolean): void {
    let reading = false
    let writing = 0
    let finished = false
    const next = (): void => {
      if (this.destroyed || finished || reading || writing >= IN_FLIGHT) return
      const length = this.#remaining()
      if (length <= 0) {
        if (writing > 0) return
        finished = true
        this.#finish(response, end)
        return
      }
      const buffer = takeBuffer()
      reading = true
      this.#readChunk(buffer, length, (chunk) => {
        reading = false
        writing++
        const more = response.write(chunk, (writeError) => {
          writing--
          // A failed write ends the response elsewhere (Fastify watches it); no reuse then.
          if (writeError != null) return
          giveBack(buffer)
          next()
        })
        if (more) next()
      })
    }
    next()
  }

  #finish (response: ServerResponse, end: boolean): void {
    // Ended as a Readable first, as pipe() would: Fastify takes a response that
    // finishes before its stream ends for a stream cut short.
    this.once('end', () => { if (end) response.end() })
    this.push(null)
    this.resume()
  }
}
