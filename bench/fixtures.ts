// Builds a FixtureSpec on disk: a served root and a tools folder beside it.
import { randomBytes } from 'node:crypto'
import { chmod, copyFile, mkdir, open, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { entryContent, entryName, type CopySpec, type FixtureSpec } from './fixture-spec.js'

export interface FixturePaths {
  /** The folder every server serves. */
  root: string
  /** Python scripts, certificates and logs: never served. */
  tools: string
}

const CHUNK = 1024 * 1024
/** Files written at once while filling a listing folder: bounded, so 10,000 files do not open 10,000 handles. */
const PARALLEL_WRITES = 64

/** Random bytes (so no layer can compress them), written in 1 MiB chunks. */
async function writeSized (path: string, size: number): Promise<void> {
  const chunk = randomBytes(Math.min(size, CHUNK))
  const handle = await open(path, 'w')
  try {
    for (let written = 0; written < size; written += chunk.length) {
      await handle.write(chunk, 0, Math.min(chunk.length, size - written))
    }
  } finally {
    await handle.close()
  }
}

async function fillFolder (path: string, count: number): Promise<void> {
  await mkdir(path, { recursive: true })
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++
      await writeFile(join(path, entryName(index, count)), entryContent(index))
    }
  }
  await Promise.all(Array.from({ length: Math.min(PARALLEL_WRITES, count) }, worker))
}

async function copyAssets (base: string, copies: CopySpec[], assets: string): Promise<void> {
  for (const { path, asset, mode } of copies) {
    const target = join(base, path)
    await mkdir(dirname(target), { recursive: true })
    await copyFile(join(assets, asset), target)
    await chmod(target, mode)
  }
}

export async function generateFixtures (dir: string, spec: FixtureSpec, assets: string): Promise<FixturePaths> {
  const root = join(dir, 'root')
  const tools = join(dir, 'tools')
  await mkdir(root, { recursive: true })
  await mkdir(tools, { recursive: true })
  for (const { path, size } of spec.files) {
    await mkdir(dirname(join(root, path)), { recursive: true })
    await writeSized(join(root, path), size)
  }
  for (const { path, count } of spec.folders) await fillFolder(join(root, path), count)
  await copyAssets(root, spec.served, assets)
  await copyAssets(tools, spec.tools, assets)
  return { root, tools }
}
