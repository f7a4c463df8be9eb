// The steps both lookups share: open first, fstat the descriptor, and only then
// ask where the opened file is. Nothing here trusts a path it did not open.
import { constants } from 'node:fs'
import { join } from 'node:path'
import { fsHttpError, httpError } from '../errors.js'
import { Descriptor, fstatFd, openFd, readFd, closeFd } from './descriptor.js'
import { allowsReal, servableKind, type LookupPolicy } from './policy.js'
import type { Opened } from './index.js'
import type { Verifier } from './verify.js'

// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, holding
// a thread of the pool; it changes nothing for files and folders. libuv adds O_CLOEXEC.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK

/** The open descriptor of what `segments` name, if it is a file or folder; the real path is still to be proven. */
export async function openSegments (policy: LookupPolicy, segments: readonly string[]): Promise<{ descriptor: Descriptor, kind: 'file' | 'folder', path: string }> {
  const path = segments.length === 0 ? policy.root : join(policy.root, ...segments)
  let fd: number
  try {
    fd = await openFd(path, OPEN_FLAGS)
  } catch (error) {
    throw fsHttpError(error)
  }
  let kind: 'file' | 'folder' | undefined
  let descriptor: Descriptor
  try {
    const stats = await fstatFd(fd)
    kind = servableKind(stats)
    descriptor = new Descriptor(fd, stats)
  } catch (error) {
    closeFd(fd)
    throw fsHttpError(error)
  }
  if (kind === undefined) {
    descriptor.release()
    throw httpError(404)
  }
  return { descriptor, kind, path }
}

/** Proves where `descriptor` is and that the policy allows it; releases it and throws 404 otherwise. */
export async function proveInside (policy: LookupPolicy, verifier: Verifier, descriptor: Descriptor, path: string): Promise<string> {
  const real = await verifier.realOf(descriptor.fd, descriptor.stats, path)
  if (real !== null && allowsReal(policy, real)) return real
  descriptor.release()
  throw httpError(404)
}

export function opened (descriptor: Descriptor, kind: 'file' | 'folder', real: string): Opened {
  return { kind, descriptor, stats: descriptor.stats, real }
}

/** All of an opened file's bytes, as many as its fstat said. */
export async function readWhole (file: Opened): Promise<Buffer> {
  const size = file.stats.size
  const data = Buffer.allocUnsafe(size)
  let filled = 0
  while (filled < size) {
    let bytesRead: number
    try {
      bytesRead = await readFd(file.descriptor.fd, data, filled, size - filled, filled)
    } catch (error) {
      throw fsHttpError(error)
    }
    // Shorter than its fstat: the file is being rewritten, and its headers would lie.
    if (bytesRead === 0) throw httpError(503, 'the file changed while it was read; try again')
    filled += bytesRead
  }
  return data
}
