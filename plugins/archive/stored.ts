// Which files go into an archive as they are, without deflate: formats that carry
// their own compression shrink by nothing and would only cost CPU. Pure.

const ALREADY_COMPRESSED = new Set([
  // images
  'jpg', 'jpeg', 'png', 'gif', 'webp', 'avif', 'heic', 'heif', 'jxl',
  // audio and video
  'mp3', 'm4a', 'aac', 'ogg', 'oga', 'opus', 'flac', 'mp4', 'm4v', 'mkv', 'webm', 'mov', 'avi',
  // archives and compressed streams
  'zip', 'gz', 'tgz', 'bz2', 'xz', 'zst', 'br', '7z', 'rar', 'lz4', 'jar', 'apk', 'whl',
  // documents and fonts that are zip or deflate inside
  'docx', 'xlsx', 'pptx', 'odt', 'ods', 'odp', 'epub', 'woff', 'woff2', 'pdf'
])

/** Whether the file named `name` is deflated in an archive (else stored). */
export function worthDeflating (name: string): boolean {
  const dot = name.lastIndexOf('.')
  return dot === -1 || !ALREADY_COMPRESSED.has(name.slice(dot + 1).toLowerCase())
}
