// Uploads stream to disk: a server whose heap could not hold a tenth of the body takes
// 1 GiB with its memory flat, and a disk that fills mid-body is a 507 that leaves
// nothing behind. The server runs in a child process, so its memory is its own.
import { strict as assert } from 'node:assert'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'node:http'
import { after, test } from 'node:test'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { code, NODE_ARGS } from './helpers/repo.js'
import { processGone, waitFor } from './helpers/wait.js'

const PLUGIN = pathToFileURL(code('plugins/upload/index')).href
const FASTIFY = pathToFileURL(fileURLToPath(import.meta.resolve('fastify'))).href
const ERRORS = pathToFileURL(code('src/error-reply')).href
const PRLIMIT = ['/usr/bin/prlimit', '/bin/prlimit'].find((path) => existsSync(path))

const SERVER = `
import Fastify from '${FASTIFY}'
import upload from '${PLUGIN}'
import { useErrorReplies } from '${ERRORS}'
const app = Fastify()
useErrorReplies(app)
await app.register(upload, { root: process.argv[1] })
await app.listen({ port: 0, host: '127.0.0.1' })
process.stdout.write(app.server.address().port + '\\n')
`

const children: ChildProcess[] = []
const fixtures: Fixture[] = []
after(async () => {
  for (const child of children) {
    child.kill('SIGKILL')
    await waitFor(() => processGone(child.pid!), 'the server gone')
  }
  for (const fixture of fixtures) await fixture.cleanup()
})

async function startServer (root: string, prefix: string[] = []): Promise<{ child: ChildProcess, port: number }> {
  const [command, ...args] = [...prefix, process.execPath, ...NODE_ARGS, '--max-old-space-size=32', '--input-type=module', '-e', SERVER, root]
  const child = spawn(command!, args, { stdio: ['ignore', 'pipe', 'inherit'] })
  children.push(child)
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (data: Buffer) => { resolve(Number(data.toString().trim())) })
    child.once('exit', (code) => { reject(new Error(`the server exited (${code})`)) })
  })
  return { child, port }
}

function kib (field: string, pid: number): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return Number(match?.[1]) * 1024
}

/** PUTs `total` bytes, written a MiB at a time as the socket takes them; the status. */
async function putStream (port: number, path: string, total: number): Promise<number> {
  const chunk = Buffer.alloc(1024 * 1024, 0x61)
  return await new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'PUT', path, headers: { 'content-length': String(total) }, agent: false }, (res) => {
      res.resume()
      res.on('end', () => { resolve(res.statusCode ?? 0) })
    })
    req.on('error', reject)
    let sent = 0
    const more = (): void => {
      while (sent < total) {
        const piece = chunk.subarray(0, Math.min(chunk.length, total - sent))
        sent += piece.length
        if (!req.write(piece)) {
          req.once('drain', more)
          return
        }
      }
      req.end()
    }
    more()
  })
}

test('a 1 GiB upload into a server with a 32 MB heap: memory stays flat, the file is whole', { skip: process.platform !== 'linux' && 'reads /proc' }, async (t) => {
  const fixture = await makeTree({})
  fixtures.push(fixture)
  const { child, port } = await startServer(fixture.dir)
  // Warm: the first request loads what the rest reuse.
  assert.equal(await putStream(port, '/warm.bin', 1024 * 1024), 201)
  const before = kib('VmRSS', child.pid!)
  const total = 1024 ** 3
  let peak = before
  const sampler = setInterval(() => { peak = Math.max(peak, kib('VmRSS', child.pid!)) }, 20)
  const began = process.hrtime.bigint()
  const status = await putStream(port, '/big.bin', total)
  const seconds = Number(process.hrtime.bigint() - began) / 1e9
  clearInterval(sampler)
  // The kernel's own peak, in case a spike fell between two samples.
  peak = Math.max(peak, kib('VmHWM', child.pid!))
  assert.equal(status, 201)
  assert.equal(statSync(fixture.path('big.bin')).size, total)
  const grew = peak - before
  // Buffering would cost the whole GiB; streaming, a few socket and write buffers.
  assert.ok(grew < 96 * 1024 * 1024, `RSS grew by ${(grew / 1024 / 1024).toFixed(1)} MB during a 1 GiB upload (from ${(before / 1024 / 1024).toFixed(1)} MB)`)
  t.diagnostic(`1 GiB in ${seconds.toFixed(1)} s (${(1024 / seconds).toFixed(0)} MiB/s); RSS ${(before / 1024 / 1024).toFixed(0)} MB before, peak ${(peak / 1024 / 1024).toFixed(0)} MB`)
})

test('a disk that fills mid-body (here, a file size limit) is 507, and nothing is left', { skip: PRLIMIT === undefined ? 'no prlimit (util-linux)' : false }, async () => {
  const fixture = await makeTree({})
  fixtures.push(fixture)
  const { port } = await startServer(fixture.dir, [PRLIMIT!, '--fsize=1048576', '--'])
  assert.equal(await putStream(port, '/fits.bin', 1024 * 1024), 201)
  // Several times: a write that failed while the next chunk was read once went
  // unhandled and ended the server (ECONNRESET here, then ECONNREFUSED).
  for (let i = 0; i < 8; i++) assert.equal(await putStream(port, `/too-big-${i}.bin`, 4 * 1024 * 1024), 507)
  assert.equal(await putStream(port, '/small.bin', 1024), 201)
  assert.deepEqual(readdirSync(fixture.dir).sort(), ['fits.bin', 'small.bin'])
})

// A file system that really fills: a 1 MiB tmpfs, where this machine lets us mount one
// (root in a container that allows it); elsewhere the file size limit above stands in.
function smallDisk (): { dir: string, remove: () => void } | undefined {
  if (process.getuid?.() !== 0) return undefined
  const dir = mkdtempSync(join(tmpdir(), 'servekit-full-'))
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'servekit-test', dir]).status !== 0) {
    rmdirSync(dir)
    return undefined
  }
  return { dir, remove: () => { spawnSync('umount', [dir]); rmdirSync(dir) } }
}

test('a disk that really fills (ENOSPC on a 1 MiB tmpfs) is 507, and nothing is left; a declared size that cannot fit is 507 at once', async (t) => {
  const disk = smallDisk()
  if (disk === undefined) return t.skip('cannot mount a tmpfs here')
  try {
    const { port } = await startServer(disk.dir)
    assert.equal(await putStream(port, '/small.bin', 256 * 1024), 201)
    // Chunked: no size to check first, so the disk fills while writing.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'PUT', path: '/fills.bin', agent: false }, (res) => { res.resume(); resolve(res.statusCode ?? 0) })
      req.on('error', reject)
      req.end(Buffer.alloc(2 * 1024 * 1024))
    })
    assert.equal(status, 507)
    assert.deepEqual(readdirSync(disk.dir), ['small.bin'])
    const declared = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'PUT', path: '/declared.bin', agent: false, headers: { 'content-length': String(2 * 1024 * 1024) } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); req.destroy() })
      req.on('error', reject)
      req.write('x')
    })
    assert.equal(declared, 507)
    assert.deepEqual(readdirSync(disk.dir), ['small.bin'])
  } finally {
    for (const child of children.splice(0)) {
      child.kill('SIGKILL')
      await waitFor(() => processGone(child.pid!), 'the server gone')
    }
    disk.remove()
  }
})
