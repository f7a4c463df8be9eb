// Temporary folders built from a plain description, removed after the test.
import { mkdtemp, mkdir, rm, symlink, writeFile, chmod } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

/**
 * `content` (string or Buffer) makes a file, `null` a folder, `{ symlink: target }`
 * a symlink (target as given, relative or absolute), `{ content, mode }` a file with
 * that mode.
 */
export type Node = string | Buffer | null | { symlink: string } | { content: string | Buffer, mode: number }
export type Tree = Record<string, Node>

export interface Fixture {
  dir: string
  path: (...parts: string[]) => string
  cleanup: () => Promise<void>
}

export async function makeTree (tree: Tree, prefix = 'servekit-test-'): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  for (const [name, node] of Object.entries(tree)) {
    const path = join(dir, name)
    await mkdir(dirname(path), { recursive: true })
    if (node === null) await mkdir(path, { recursive: true })
    else if (typeof node === 'string' || Buffer.isBuffer(node)) await writeFile(path, node)
    else if ('symlink' in node) await symlink(node.symlink, path)
    else {
      await writeFile(path, node.content)
      await chmod(path, node.mode)
    }
  }
  return { dir, path: (...parts) => join(dir, ...parts), cleanup: async () => { await rm(dir, { recursive: true, force: true }) } }
}
