// Writes archive entries into a streaming zip (yazl) as fast as the client takes
// it: the entry after the one being written is found meanwhile, and no further, so
// two files are open at most and nothing waits in a queue; memory is a few chunks in
// flight plus yazl's central directory (one small record per entry, which a zip must
// write at its end). A client gone stops the walk and lets the open files go.
import { PassThrough, type Readable } from 'node:stream'
import { ZipFile } from 'yazl'
import { FileStream } from '../static/file-stream.js'
import type { ArchiveEntry } from './walk.js'
import { worthDeflating } from './stored.js'

export interface ZipWriting {
  /** Deflate level of files worth compressing (0: everything stored). */
  compressionLevel: number
  /** A file that failed while it was read: its entry ends where the reading stopped. */
  cut: (path: string, error: unknown) => void
  /** The archive itself failed (yazl): the response is cut short. */
  failed: (error: unknown) => void
}

// Unix permissions only: set-id and sticky bits mean nothing in a download.
const FILE_TYPE = 0o100000
const FOLDER_TYPE = 0o040000

type FileEntry = Extract<ArchiveEntry, { kind: 'file' }>

/**
 * The stream yazl asks for when the entry's turn comes. yazl keeps this function with
 * the entry until the zip ends: it holds nothing but the slot, emptied once taken,
 * so 10,000 entries do not keep 10,000 spent streams.
 */
function handOver (slot: { body: Readable | undefined }) {
  return (give: (error: null, stream: Readable) => void): void => {
    const body = slot.body!
    slot.body = undefined
    give(null, body)
  }
}

function release (entry: IteratorResult<ArchiveEntry> | undefined): void {
  if (entry?.done === false && entry.value.kind === 'file') entry.value.file.descriptor.release()
}

/** A zip of `entries`, streamed: the readable to send, filled as it is read. */
export function zipStream (entries: AsyncGenerator<ArchiveEntry>, options: ZipWriting): Readable {
  const zip = new ZipFile()
  const output = zip.outputStream as PassThrough
  let current: FileStream | undefined
  let gone = false
  // Destroyed by Fastify when the response closes, finished or not.
  output.once('close', () => {
    gone = true
    current?.destroy()
  })
  zip.on('error', (error: unknown) => {
    options.failed(error)
    output.destroy(error as Error)
  })

  /** Resolves once the file was read to its end, failed, or was let go. */
  async function addFile ({ path, file }: FileEntry): Promise<void> {
    const stream = new FileStream(file.descriptor, 0, file.stats.size - 1)
    file.descriptor.release()
    current = stream
    const body = new PassThrough()
    const level = worthDeflating(path) ? options.compressionLevel : 0
    const settings = { mtime: file.stats.mtime, mode: FILE_TYPE | (file.stats.mode & 0o777), compress: level > 0, ...(level > 0 ? { compressionLevel: level } : {}) }
    const closed = new Promise<void>((resolve) => { stream.once('close', resolve) })
    // A file that shrank or failed mid-read: the entry holds what was read, with its
    // own size and CRC (yazl writes them after the data), so the zip stays whole.
    stream.once('error', (error) => { options.cut(path, error); body.end() })
    stream.pipe(body)
    try {
      zip.addReadStreamLazy(path, settings, handOver({ body }))
    } catch (error) {
      stream.destroy()
      throw error
    }
    await closed
    current = undefined
  }

  /** Headers and empty entries are written past backpressure: wait for room before each. */
  async function room (): Promise<void> {
    if (!output.writableNeedDrain || gone) return
    await new Promise<void>((resolve) => {
      const done = (): void => { output.off('drain', done); output.off('close', done); resolve() }
      output.on('drain', done)
      output.on('close', done)
    })
  }

  async function fill (): Promise<void> {
    // Finding an entry (open, fstat, the proof) waits on the thread pool: done while
    // the one before is written, a folder of small files goes twice as fast.
    let next: Promise<IteratorResult<ArchiveEntry>> | undefined = entries.next()
    try {
      // eslint-disable-next-line no-unmodified-loop-condition -- set by the output's close listener
      while (!gone) {
        await room()
        const found: IteratorResult<ArchiveEntry> = await next
        next = undefined
        if (found.done === true) break
        if (gone) {
          release(found)
          break
        }
        // Not for-await: a client gone must stop the walk before it opens more.
        next = entries.next()
        if (found.value.kind === 'folder') zip.addEmptyDirectory(found.value.path, { mtime: found.value.stats.mtime, mode: FOLDER_TYPE | (found.value.stats.mode & 0o777) })
        else await addFile(found.value)
      }
    } finally {
      // Lets go of the entry found ahead, then ends the walk where it stands.
      if (next !== undefined) release(await next.catch(() => undefined))
      await entries.return(undefined)
    }
    if (!gone) zip.end()
  }

  fill().catch((error: unknown) => { zip.emit('error', error) })
  return output
}
