// The steps both lookups share: open first, fstat the descriptor, and only then
// ask where the opened file is. Nothing here trusts a path it did not open.
import { constants, fstatSync, openSync } from 'node:fs'
import { join } from 'node:path'
import { fsHttpError, httpError } from '../errors.js'
import { Descriptor, fstatFd, openFd, readFd, closeFd } from './descriptor.js'
import { allowsReal, servableKind, type LookupPolicy } from './policy.js'
import type { Opened } from './index.js'
import { GONE, type Verifier } from './verify.js'

/**
 * Files up to this size are read whole, in one read, and sent as one buffer; the cached
 * lookup keeps their bytes (32 MiB in all by default). Larger files stream. Measured on
 * 100 KiB to 800 KiB files, one read and one write cost 20-60% less CPU per request than
 * a stream of 64 KiB reads; 256 KiB bounds what one request holds when nothing is kept.
 */
export const WHOLE_FILE_BYTES = 256 * 1024

// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, holding
// a thread of the pool; it changes nothing for files and folders. libuv adds O_CLOEXEC.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK

/**
 * The open descriptor of `path`, if it is a file or folder; the real
 * path is still to be proven. A `warm` path (served a moment ago, so the kernel has
 * its entries in memory) is opened and stat-ed synchronously: two system calls of a
 * few microseconds, where a round trip through the thread pool costs ten times that
 * in CPU. Anything else may wait on a disk, and goes through the pool.
 */
async function openPath (path: string, warm: boolean): Promise<{ descriptor: Descriptor, kind: 'file' | 'folder' }> {
  let fd: number
  try {
    fd = warm ? openSync(path, OPEN_FLAGS) : await openFd(path, OPEN_FLAGS)
  } catch (error) {
    throw fsHttpError(error)
  }
  let kind: 'file' | 'folder' | undefined
  let descriptor: Descriptor
  try {
    const stats = warm ? fstatSync(fd) : await fstatFd(fd)
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
  return { descriptor, kind }
}

export interface Proofs {
  /** Where a descriptor was proven to be before, if that still holds for its fstat. */
  known: (descriptor: Descriptor) => string | undefined
  remember: (descriptor: Descriptor, real: string, path: string) => void
  /** Whether `path` was served a moment ago. */
  warm: (path: string) => boolean
}

const NO_PROOFS: Proofs = { known: () => undefined, remember: () => {}, warm: () => false }

/**
 * Opens what `segments` name and proves where the opened file is; 404 when it is
 * not allowed there or cannot be told. A file replaced by a rename between the open
 * and the proof (a deploy swapping files) is opened once more, by then its successor.
 */
export async function openProven (policy: LookupPolicy, verifier: Verifier, segments: readonly string[], proofs: Proofs = NO_PROOFS): Promise<Opened> {
  for (let attempt = 0; ; attempt++) {
    const path = segments.length === 0 ? policy.root : join(policy.root, ...segments)
    const warm = proofs.warm(path)
    const { descriptor, kind } = await openPath(path, warm)
    const known = proofs.known(descriptor)
    if (known !== undefined) return opened(descriptor, kind, known)
    const real = await verifier.realOf(descriptor.fd, descriptor.stats, path, warm)
    if (typeof real === 'string' && allowsReal(policy, real)) {
      proofs.remember(descriptor, real, path)
      return opened(descriptor, kind, real)
    }
    descriptor.release()
    if (real !== GONE || attempt > 0) throw httpError(404)
  }
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
