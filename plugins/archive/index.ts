// Folder downloads: `DIR/?download=zip` answers a zip of the folder, built while it
// is sent (no temporary file; memory flat whatever the folder's size), holding
// exactly what its listings show. Not a route of its own: the static plugin finds
// and proves the folder, then hands it here (its `archive` option), so the URL rules,
// the redirect to `DIR/` and the 404s are the listing's.
//
//   await app.register(staticFiles, { root, archive: folderArchive() })
import { basename } from 'node:path'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { OptionError, fsHttpError, httpError } from '../../src/errors.js'
import { escapeControls } from '../../src/logger.js'
import { urlPathOf } from '../../src/safe-path.js'
import type { ArchiveTarget, FolderArchive } from '../static/index.js'
import { attachment } from './disposition.js'
import { folderKey, walkFolder, type ArchiveEntry } from './walk.js'
import { zipStream } from './zip.js'

export interface ArchiveOptions {
  /** First names at the served folder's root left out of its archive: those of other routes (as the static plugin's `reserved`, e.g. `cgi-bin`). */
  reserved?: readonly string[]
  /** Deflate level, 1 (fastest) to 9 (smallest), of files not compressed already (images, video, archives are stored); 0 stores everything. Default 1. */
  compressionLevel?: number
}

/** Values of `?download=` answered; anything else is 400. */
export const FORMATS = ['zip'] as const

// Level 1 gave nearly the size of 6 on text at a fraction of the CPU (docs/sharing.md).
const DEFAULT_LEVEL = 1

function validate (options: ArchiveOptions): Required<ArchiveOptions> {
  const { reserved = [], compressionLevel = DEFAULT_LEVEL } = options
  if (!Array.isArray(reserved) || !reserved.every((name) => typeof name === 'string')) throw new OptionError('reserved', 'reserved must be a list of names')
  if (!Number.isInteger(compressionLevel) || compressionLevel < 0 || compressionLevel > 9) throw new OptionError('compressionLevel', `compressionLevel must be a whole number from 0 to 9 (got ${JSON.stringify(compressionLevel)})`)
  return { reserved, compressionLevel }
}

/** The archive's name: the folder's last URL segment, or the served folder's own name at the root. */
export function archiveName (target: Pick<ArchiveTarget, 'segments' | 'folder'>): string {
  const name = target.segments.at(-1) ?? basename(target.folder.real)
  // A zip path may not start like a drive or climb (yazl refuses those).
  return name === '' || name === '..' || /^[a-zA-Z]:/.test(name) ? 'folder' : name
}

/** The static plugin's `archive` hook: answers `?download=zip` on any folder it lists. */
export function folderArchive (options: ArchiveOptions = {}): FolderArchive {
  const { reserved, compressionLevel } = validate(options)
  return async function download (request: FastifyRequest, reply: FastifyReply, target: ArchiveTarget): Promise<FastifyReply> {
    const format = (request.query as Record<string, unknown>).download
    if (typeof format !== 'string' || !(FORMATS as readonly string[]).includes(format)) throw httpError(400, `download must be one of ${FORMATS.join(', ')}`)
    const name = archiveName(target)
    const { entries } = await target.lookup.listing(target.folder).catch((error: unknown) => { throw fsHttpError(error) })
    // No Content-Length: the size is known only once the last byte is written.
    reply.code(200).headers({
      'content-type': 'application/zip',
      'content-disposition': attachment(`${name}.zip`),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff'
    })
    if (request.method === 'HEAD') return await reply.send()
    const skip = (what: string) => (segments: readonly string[], error: unknown): void => {
      request.log.warn({ archive: target.urlPath, entry: escapeControls(urlPathOf(segments, false)), err: error }, `archive: ${what}`)
    }
    const walk = walkFolder(target.lookup, {
      segments: target.segments,
      entries,
      prefix: `${name}/`,
      visited: new Set([folderKey(target.folder.stats)]),
      reserved,
      skipped: skip('left out an entry that could not be opened')
    })
    const root = target.folder.stats
    async function * withRoot (): AsyncGenerator<ArchiveEntry> {
      yield { kind: 'folder', path: `${name}/`, stats: root }
      yield * walk
    }
    const body = zipStream(withRoot(), {
      compressionLevel,
      cut: (path, error) => { request.log.warn({ archive: target.urlPath, entry: escapeControls(path), err: error }, 'archive: a file failed while it was read; its entry ends there') },
      failed: (error) => { request.log.error({ archive: target.urlPath, err: error }, 'archive: the zip could not be written; the response was cut short') }
    })
    return await reply.send(body)
  }
}
