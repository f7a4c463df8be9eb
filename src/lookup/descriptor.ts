// An open descriptor shared by whatever reads it: the handler that opened it and
// each body stream made from it. It is closed once the last of them lets go, never
// while a read may still be in flight, so a descriptor number is never reused
// under a pending read and never left open however a response ends.
import { close, closeSync, fstat, open, read, readlink, type Stats } from 'node:fs'

export class Descriptor {
  #refs = 1
  #closed = false

  readonly fd: number
  readonly stats: Stats

  constructor (fd: number, stats: Stats) {
    this.fd = fd
    this.stats = stats
  }

  /** Another holder: each `retain` needs one `release`. */
  retain (): this {
    if (this.#closed) throw new Error('descriptor already closed')
    this.#refs++
    return this
  }

  /** Lets go; the last holder's release closes the descriptor. Idempotent per holder only. */
  release (): void {
    if (this.#closed || --this.#refs > 0) return
    this.#closed = true
    // Closing a descriptor only read from is immediate: no round trip through the thread pool.
    closeSync(this.fd)
  }

  get closed (): boolean {
    return this.#closed
  }
}

// fs callbacks wrapped by hand: on the hot path, util.promisify and fs.promises
// cost measurably more per call (the listing reader found the same).
export async function openFd (path: string, flags: number): Promise<number> {
  return await new Promise((resolve, reject) => {
    open(path, flags, (error, fd) => { error === null ? resolve(fd) : reject(error) })
  })
}

export async function fstatFd (fd: number): Promise<Stats> {
  return await new Promise((resolve, reject) => {
    fstat(fd, (error, stats) => { error === null ? resolve(stats) : reject(error) })
  })
}

export async function readlinkPath (path: string): Promise<string> {
  return await new Promise((resolve, reject) => {
    readlink(path, (error, target) => { error === null ? resolve(target) : reject(error) })
  })
}

export async function readFd (fd: number, buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
  return await new Promise((resolve, reject) => {
    read(fd, buffer, offset, length, position, (error, bytesRead) => { error === null ? resolve(bytesRead) : reject(error) })
  })
}

export function closeFd (fd: number): void {
  close(fd, () => {})
}
