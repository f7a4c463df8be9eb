// Builds bench/servers/go-peer.go with `go build` once per source hash into the
// bench cache folder, so repeated runs reuse the binary.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { access, mkdir, readFile, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export function goBinaryName (source: string): string {
  return `go-peer-${createHash('sha256').update(source).digest('hex').slice(0, 16)}`
}

/** The environment `go build` runs in: its caches in the bench cache, no module lookups. */
export function goBuildEnv (env: NodeJS.ProcessEnv, cache: string): NodeJS.ProcessEnv {
  return { ...env, GOCACHE: join(cache, 'go-build'), GOPATH: join(cache, 'gopath'), GO111MODULE: 'off', GOFLAGS: '', CGO_ENABLED: '0' }
}

/** The binary's path; built (and cached) unless it already is. */
export async function buildGoPeer (go: string, sourceFile: string, cache: string): Promise<string> {
  const source = await readFile(sourceFile, 'utf8')
  const binary = join(cache, goBinaryName(source))
  try {
    await access(binary)
    return binary
  } catch {}
  await mkdir(cache, { recursive: true })
  const building = `${binary}.${process.pid}.tmp`
  await run(go, ['build', '-o', building, sourceFile], { env: goBuildEnv(process.env, cache), cwd: cache })
  await rename(building, binary)
  return binary
}
