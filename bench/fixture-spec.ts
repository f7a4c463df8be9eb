// What the benchmark serves, as data: the generator (bench/fixtures.ts) builds it
// and the scenarios name paths from it, so both agree on every name.
export interface FileSpec {
  /** Path under the served root. */
  path: string
  size: number
}

export interface FolderSpec {
  /** Folder under the served root, filled with `count` small files. */
  path: string
  count: number
}

export interface CopySpec {
  /** Path under the fixture folder (served root or tools). */
  path: string
  /** File name in bench/assets/. */
  asset: string
  mode: number
}

export interface FixtureSpec {
  files: FileSpec[]
  folders: FolderSpec[]
  /** Copied under the served root: the CGI scripts. */
  served: CopySpec[]
  /** Copied beside the root, never served: the Python servers. */
  tools: CopySpec[]
}

const KiB = 1024
const MiB = 1024 * KiB

export const FIXTURES = {
  file1k: 'file-1k.bin',
  file100k: 'file-100k.bin',
  file64m: 'file-64m.bin',
  list1k: 'list-1k',
  list10k: 'list-10k',
  app100k: 'app-100k.js',
  helloSh: 'cgi-bin/hello.sh',
  helloPy: 'cgi-bin/hello.py',
  webapp: 'webapp.py',
  secureServer: 'secure_server.py'
} as const

export const BENCH_SPEC: FixtureSpec = {
  files: [
    { path: FIXTURES.file1k, size: KiB },
    { path: FIXTURES.file100k, size: 100 * KiB },
    { path: FIXTURES.file64m, size: 64 * MiB }
  ],
  folders: [
    { path: FIXTURES.list1k, count: 1_000 },
    { path: FIXTURES.list10k, count: 10_000 }
  ],
  served: [
    // Real JavaScript (servekit's own modules), for what compression does to a bundle; .txt in
    // bench/assets so that no linter or compiler takes it for source.
    { path: FIXTURES.app100k, asset: 'app-100k.js.txt', mode: 0o644 },
    { path: FIXTURES.helloSh, asset: 'hello.sh', mode: 0o755 },
    { path: FIXTURES.helloPy, asset: 'hello.py', mode: 0o755 }
  ],
  tools: [
    { path: FIXTURES.webapp, asset: 'webapp.py', mode: 0o644 },
    { path: FIXTURES.secureServer, asset: 'secure_server.py', mode: 0o644 }
  ]
}

/**
 * Names that sort the same way as text and naturally (`file-00042.txt`), so a
 * listing's order costs the same in every server.
 */
export function entryName (index: number, count: number): string {
  return `file-${String(index).padStart(String(count - 1).length, '0')}.txt`
}

/** Content of listing entry `index`: a few bytes, so sizes are not all zero. */
export function entryContent (index: number): string {
  return `entry ${index}\n`
}

/**
 * The part of a spec that requests for these URL paths need (tools always come
 * along): rerunning one scenario need not write 11,000 files and 64 MiB.
 */
export function specFor (spec: FixtureSpec, urlPaths: readonly string[]): FixtureSpec {
  const used = (path: string): boolean => urlPaths.some((url) => url === `/${path}` || url.startsWith(`/${path}/`) || url.startsWith(`/${path}?`))
  return {
    files: spec.files.filter(({ path }) => used(path)),
    folders: spec.folders.filter(({ path }) => used(path)),
    served: spec.served.filter(({ path }) => used(path)),
    tools: spec.tools
  }
}
