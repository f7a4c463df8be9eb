// Writing one upload into a folder the lookup opened, so that a reader never sees half
// a file and a failure leaves nothing behind:
// 1. a temporary file with a random dot-name (hidden from listings) is created
//    exclusively *through the folder's descriptor* (/proc/self/fd/N/name on Linux), so
//    the folder written into is the one that was proven, whatever its path became;
// 2. where that temporary file really is is asked of its own descriptor: directly in
//    the proven folder, and allowed by the policy under its final name, or it goes;
// 3. the body streams into it (memory flat whatever the size), counted against the limit;
// 4. it is flushed, proven again (the body may have taken minutes), and put in place
//    in one step: link(2) without overwrite (EEXIST: someone else's, 409, race-free),
//    rename(2) with it (atomic replacement);
// 5. on any failure it is unlinked.
import { randomBytes } from 'node:crypto'
import { close, constants, fdatasync, link, mkdir, readdir, rename, statfs, unlink, write, writev, type Stats } from 'node:fs'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { fsHttpError, httpError } from '../../src/errors.js'
import { fstatFd, openFd } from '../../src/lookup/descriptor.js'
import type { Lookup, Opened } from '../../src/lookup/index.js'
import { allowsReal, IN_PROGRESS_PREFIX, type LookupPolicy } from '../../src/lookup/policy.js'
import type { Verifier } from '../../src/lookup/verify.js'
import { sameName } from './names.js'

/** A folder opened and proven by the lookup, with the path its entries are reached by. */
export interface Folder {
  opened: Opened
  /** The URL segments that name it. */
  segments: readonly string[]
  /** `/proc/self/fd/N` (the descriptor itself) where the kernel offers it, else its real path. */
  path: string
}

export interface StoreRules {
  /** What may be written: the lookup's policy, never following links out of the root. */
  policy: LookupPolicy
  verifier: Verifier
  overwrite: boolean
  /** Bytes one file may have. */
  maxBytes: number
}

export interface Stored {
  /** The name on disk (an existing entry's own spelling when it was replaced). */
  name: string
  size: number
}

const pWrite = promisify(write)
const pWritev = promisify(writev)
const pClose = promisify(close)
const pSync = promisify(fdatasync)
const pLink = promisify(link)
const pRename = promisify(rename)
const pReaddir = promisify(readdir)
const pMkdir = promisify(mkdir)
const pStatfs = promisify(statfs)
const pUnlink = promisify(unlink)

// O_NOFOLLOW: the random name cannot be a link planted in advance; O_EXCL alone
// already refuses any existing entry, link or not.
const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW
export const TEMP_PREFIX = IN_PROGRESS_PREFIX
// Errors that mean the disk (or the user's quota, or the largest file it takes) is full.
const NO_SPACE = new Set(['ENOSPC', 'EDQUOT', 'EFBIG'])

export function tooLarge (maxBytes: number): Error {
  return httpError(413, `uploads are limited to ${maxBytes} bytes per file`)
}

function noSpace (cause?: unknown): Error {
  return Object.assign(httpError(507, 'There is not enough free disk space for this upload.'), { cause })
}

function exists (name: string): Error {
  return httpError(409, `${name} already exists; uploads do not replace files here`)
}

/** The folder through which entries of `opened` are reached: its descriptor where it can be named. */
export function folderOf (opened: Opened, segments: readonly string[], verifier: Verifier): Folder {
  return { opened, segments, path: verifier.folderPath(opened.descriptor.fd, opened.real) }
}

/** 507 before reading a byte when `declared` bytes cannot fit on the folder's file system. */
export async function checkSpace (folder: Folder, declared: number): Promise<void> {
  if (declared <= 0) return
  const fs = await pStatfs(folder.path).catch(() => undefined)
  if (fs !== undefined && fs.bavail * fs.bsize < declared) throw noSpace()
}

async function realDirectlyIn (rules: StoreRules, folder: Folder, fd: number, stats: Stats, path: string, name: string): Promise<boolean> {
  const real = await rules.verifier.realOf(fd, stats, path)
  return typeof real === 'string' && dirname(real) === folder.opened.real && allowsReal(rules.policy, join(folder.opened.real, name))
}

/** Streams `body` into `folder` as `name` (already checked by names.ts) and puts it in place. */
export async function storeFile (folder: Folder, name: string, body: AsyncIterable<Buffer>, rules: StoreRules): Promise<Stored> {
  const tempName = TEMP_PREFIX + randomBytes(12).toString('base64url')
  const tempPath = join(folder.path, tempName)
  let fd: number | undefined
  // Refused before the body is read when the name is plainly taken; link(2) still
  // decides between uploads racing for a free one.
  if (!rules.overwrite) {
    const same = sameName(await entriesOf(folder), name)
    if (same !== undefined) throw exists(same)
  }
  try {
    // Mode 0666 less the umask, as any open(2) with O_CREAT makes it.
    fd = await openFd(tempPath, CREATE).catch((error: unknown) => { throw writeError(error) })
    if (!await realDirectlyIn(rules, folder, fd, await fstatFd(fd), tempPath, name)) throw httpError(404)
    const size = await writeBody(fd, body, rules.maxBytes)
    await pSync(fd).catch((error: unknown) => { throw writeError(error) })
    // The body may have taken minutes: the folder may have been moved or swapped meanwhile.
    if (!await realDirectlyIn(rules, folder, fd, await fstatFd(fd), tempPath, name)) throw httpError(404)
    await pClose(fd)
    fd = undefined
    const stored = await putInPlace(folder, tempName, name, rules.overwrite)
    return { name: stored, size }
  } finally {
    if (fd !== undefined) await pClose(fd).catch(() => {})
    // After link(2) the temporary name is a second link to the stored file: dropped too.
    await pUnlink(tempPath).catch(() => {})
  }
}

// Socket reads come 64 KiB at a time: written in batches of about a MiB (one system
// call each), with the next batch read while the last is written, the upload goes at
// about twice the speed of one write per chunk. At most two batches are held.
const BATCH_BYTES = 1024 * 1024

/** Writes all of `body` to `fd`; its size. 413 as soon as it passes `maxBytes`. */
async function writeBody (fd: number, body: AsyncIterable<Buffer>, maxBytes: number): Promise<number> {
  let size = 0
  let batch: Buffer[] = []
  let batchBytes = 0
  let writing: Promise<void> = Promise.resolve()
  // A write that fails while the next chunk is being read is handled at once, or the
  // rejection would be unhandled until the next await and end the process (a full
  // disk took the server down); reading stops at the next chunk and says why.
  let failed: { error: unknown } | undefined
  const flush = (): void => {
    const buffers = batch
    batch = []
    batchBytes = 0
    writing = writing.then(async () => { await writeAll(fd, buffers) })
    writing.catch((error: unknown) => { failed ??= { error } })
  }
  try {
    for await (const chunk of body) {
      if (failed !== undefined) throw failed.error
      size += chunk.length
      if (size > maxBytes) throw tooLarge(maxBytes)
      batch.push(chunk)
      batchBytes += chunk.length
      if (batchBytes >= BATCH_BYTES) {
        await writing
        flush()
      }
    }
    if (batch.length > 0) flush()
    await writing
    return size
  } finally {
    // A write still in flight when reading failed: settled before the file is unlinked.
    await writing.catch(() => {})
  }
}

async function writeAll (fd: number, buffers: Buffer[]): Promise<void> {
  const total = buffers.reduce((sum, buffer) => sum + buffer.length, 0)
  let done: number
  try {
    done = (await pWritev(fd, buffers)).bytesWritten
    // A short write (rare on files): the rest one piece at a time.
    if (done < total) {
      const rest = Buffer.concat(buffers).subarray(done)
      for (let at = 0; at < rest.length;) at += (await pWrite(fd, rest, at, rest.length - at)).bytesWritten
    }
  } catch (error) {
    throw writeError(error)
  }
}

function writeError (error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code ?? ''
  if (NO_SPACE.has(code)) return noSpace(error)
  // Out of descriptors: the server's state, passing; 503 as for reads.
  if (code === 'EMFILE' || code === 'ENFILE') return fsHttpError(error)
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return Object.assign(httpError(403, 'this folder cannot be written to'), { cause: error })
  return error
}

/** Entry names of `folder` now, for the NFC rule. */
async function entriesOf (folder: Folder): Promise<string[]> {
  return await pReaddir(folder.path).catch((error: unknown) => { throw writeError(error) })
}

async function putInPlace (folder: Folder, tempName: string, name: string, overwrite: boolean): Promise<string> {
  const same = sameName(await entriesOf(folder), name)
  const temp = join(folder.path, tempName)
  if (!overwrite) {
    if (same !== undefined) throw exists(same)
    try {
      await pLink(temp, join(folder.path, name))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw exists(name)
      throw writeError(error)
    }
    return name
  }
  const target = same ?? name
  try {
    await pRename(temp, join(folder.path, target))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST') throw httpError(409, `${target} is a folder; a file cannot replace it`)
    throw writeError(error)
  }
  return target
}

/**
 * Makes folder `name` in `folder` (`exists` decides whether one already there is an
 * error) and opens it through the lookup: it must be a folder, directly in the parent.
 */
export async function makeFolder (folder: Folder, name: string, lookup: Lookup, rules: StoreRules, existingIsFine: boolean): Promise<Folder> {
  const same = sameName(await entriesOf(folder), name)
  const target = same ?? name
  if (same === undefined) {
    try {
      await pMkdir(join(folder.path, name), 0o777)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError(error)
      if (!existingIsFine) throw httpError(409, `${name} already exists`)
    }
  } else if (!existingIsFine) {
    throw httpError(409, `${same} already exists`)
  }
  const segments = [...folder.segments, target]
  const opened = await lookup.open(segments)
  if (opened.kind !== 'folder' || opened.real !== join(folder.opened.real, target) || !allowsReal(rules.policy, opened.real)) {
    opened.descriptor.release()
    throw httpError(409, `${target} exists and is not a folder`)
  }
  return folderOf(opened, segments, rules.verifier)
}
