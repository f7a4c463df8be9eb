// Writes archive entries into a streaming zip (yazl) as fast as the client takes
// it: the next entry is asked for only once the last file was read to its end, so
// one file is open at a time and nothing waits in a queue; memory is a few chunks
// in flight plus yazl's central directory (one small record per entry, which a zip
// must write at its end). A client gone stops the walk and lets the open file go.
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
  async function addFile (path: string, file: Extract<ArchiveEntry, { kind: 'file' }>['file']): Promise<void> {
    const stream = new FileStream(file.descriptor, 0, file.stats.size - 1)
    file.descriptor.release()
    current = stream
    const body = new PassThrough()
    const level = worthDeflating(path) ? options.compressionLevel : 0
    await new Promise<void>((resolve, reject) => {
      // A file that shrank or failed mid-read: the entry holds what was read, with its
      // own size and CRC (yazl writes them after the data), so the zip stays whole.
      stream.once('error', (error) => { options.cut(path, error); body.end() })
      stream.once('close', resolve)
      stream.pipe(body)
      const settings = { mtime: file.stats.mtime, mode: FILE_TYPE | (file.stats.mode & 0o777), compress: level > 0, ...(level > 0 ? { compressionLevel: level } : {}) }
      try {
        zip.addReadStreamLazy(path, settings, (give) => { give(null, body) })
      } catch (error) {
        stream.destroy()
        reject(error)
      }
    })
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
    try {
      // Not for-await: a client gone must stop the walk before it opens the next file.
      // eslint-disable-next-line no-unmodified-loop-condition -- set by the output's close listener
      while (!gone) {
        await room()
        const next = await entries.next()
        if (next.done === true) break
        const entry = next.value
        if (gone) {
          if (entry.kind === 'file') entry.file.descriptor.release()
          break
        }
        if (entry.kind === 'folder') zip.addEmptyDirectory(entry.path, { mtime: entry.stats.mtime, mode: FOLDER_TYPE | (entry.stats.mode & 0o777) })
        else await addFile(entry.path, entry.file)
      }
    } finally {
      // Ends the walk where it stands, whatever stopped it.
      await entries.return(undefined)
    }
    if (!gone) zip.end()
  }

  fill().catch((error: unknown) => { zip.emit('error', error) })
  return output
}
