// Starting scripts cheaply. Node starts every child by forking the whole server
// (clone(SIGCHLD), then exec), so a spawn costs in proportion to servekit's memory:
// 7.8-8.7 ms of servekit's CPU per script at ~100 MB, on a loaded 2-core machine.
// The spawner is one small python3 process per servekit process that starts scripts
// with posix_spawn (vfork), hands their stdout (and stdin) to servekit as connections
// to an abstract Unix socket, relays their stderr, and reports when each exits; servekit's own CPU per script
// fell to 2.0 ms in the same run. It is started with the first script; until it is
// ready, or where there is no python3 3.9+, or if it dies, scripts start with Node's
// spawn as before. Its program and protocol: spawner-program.ts.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createServer, type Server, type Socket } from 'node:net'
import { constants } from 'node:os'
import { Readable } from 'node:stream'
import type { ExecPlan } from './exec-plan.js'
import type { Guardian } from './guardian.js'
import { SPAWNER_PROGRAM } from './spawner-program.js'

export interface ExitStatus {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface SpawnedScript {
  pid: number
  stdin: Socket | null
  stdout: Socket
  /** What the spawner relays of the script's stderr: at most stderrMax + 1 bytes, then its end. */
  stderr: Readable
  /** Settle when those close, tracked from their arrival: a connection whose peer was gone at once may close before anyone else looks. */
  stdoutClosed: Promise<void>
  stderrClosed: Promise<void>
  /** Settles when the script exits; { code: null, signal: null } if the spawner died first and nobody can tell. */
  exited: Promise<ExitStatus>
  /** Servekit has killed the group for the last time: it need not be killed if servekit dies. */
  release: () => void
}

/** What to execute (exec-plan.ts, or prlimit before it), and how. */
export interface LaunchRequest extends ExecPlan {
  cwd: string
  env: Record<string, string>
  withStdin: boolean
  /** Bytes of stderr servekit logs at most: the spawner relays one more, then drops the rest. */
  stderrMax: number
}

export interface Spawner {
  /** A started script, or undefined when the spawner is not ready: start it another way. */
  start: (request: LaunchRequest) => Promise<SpawnedScript> | undefined
  /** The spawner's pid once it runs, for tests. */
  readonly pid: number | undefined
}

/** Roles of a script's connections, as the program names them: stdout, stdin. */
type Role = 'o' | 'i'
const TOKEN_LENGTH = 36
const HEADER_LENGTH = TOKEN_LENGTH + 2
/** A connection that has not said whose it is by then is dropped. */
const IDENTIFY_MS = 5000
/** Started again at most this often after it died, so a broken python3 is not run per request. */
const RESTART_MS = 10_000
/** Deaths before it ever said it was ready, after which Node's spawn is used for good. */
const FAILED_STARTS = 3

interface Pending {
  request: LaunchRequest
  resolve: (script: SpawnedScript) => void
  reject: (error: Error) => void
  pid?: number
  sockets: Partial<Record<Role, Socket>>
  closed: Partial<Record<Role, Promise<void>>>
  exit?: (status: ExitStatus) => void
  exited: Promise<ExitStatus>
  stderr: Relayed
  settled: boolean
}

/** A script's stderr as the spawner relays it. */
interface Relayed {
  stream: Readable
  /** Settles when the spawner said it closed, or died. */
  closed: Promise<void>
  end: () => void
}

function relayed (): Relayed {
  const stream = new Readable({ read () {} })
  let end = (): void => {}
  const closed = new Promise<void>((resolve) => {
    end = () => {
      stream.push(null)
      resolve()
    }
  })
  return { stream, closed, end }
}

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]))

/** The exit line's status: "x <token> 3 -" or "x <token> - 9". */
export function exitStatusOf (code: string, signal: string): ExitStatus {
  return code === '-'
    ? { code: null, signal: SIGNAL_NAMES.get(Number(signal)) ?? null }
    : { code: Number(code), signal: null }
}

function spawnError (code: string, command: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`spawn ${command} ${code}`), { code, syscall: 'spawn', path: command })
}

/** Reads the connection's "<token><role>\n" and hands it on with nothing else consumed. */
function identify (socket: Socket, found: (token: string, role: string) => void): void {
  socket.setTimeout(IDENTIFY_MS, () => socket.destroy())
  socket.on('error', () => {})
  const read = (): void => {
    const header = socket.read(HEADER_LENGTH) as Buffer | null
    if (header === null) return
    socket.off('readable', read)
    socket.setTimeout(0)
    const text = header.toString('latin1')
    found(text.slice(0, TOKEN_LENGTH), text.slice(TOKEN_LENGTH, TOKEN_LENGTH + 1))
  }
  socket.on('readable', read)
}

export function createSpawner (guardian: Guardian, python = 'python3', onWarning: (reason: string) => void = () => {}): Spawner {
  let state: 'idle' | 'starting' | 'ready' | 'unavailable' = 'idle'
  let child: ChildProcess | undefined
  let server: Server | undefined
  let diedAt = 0
  let failedStarts = 0
  const pending = new Map<string, Pending>()
  /** Scripts whose stderr has not closed yet, by token: it may outlast the script's exit. */
  const stderrs = new Map<string, Relayed>()
  /** Groups this spawner lists; handed to the guardian if it dies. */
  const listed = new Set<number>()

  function complete (token: string, entry: Pending): void {
    const { sockets, pid } = entry
    if (entry.settled || pid === undefined || sockets.o === undefined) return
    if (entry.request.withStdin && sockets.i === undefined) return
    entry.settled = true
    entry.resolve({
      pid,
      stdin: sockets.i ?? null,
      stdout: sockets.o,
      stderr: entry.stderr.stream,
      stdoutClosed: entry.closed.o as Promise<void>,
      stderrClosed: entry.stderr.closed,
      exited: entry.exited,
      release: () => { release(pid) }
    })
    void entry.exited.then(() => { pending.delete(token) })
  }

  function release (pid: number): void {
    if (listed.delete(pid)) child?.stdin?.write(`["r",${pid}]\n`)
    else guardian.release(pid)
  }

  function accepted (socket: Socket): void {
    identify(socket, (token, role) => {
      const entry = pending.get(token)
      if (entry === undefined || entry.settled || (role !== 'o' && role !== 'i') || entry.sockets[role] !== undefined) {
        socket.destroy()
        return
      }
      entry.sockets[role] = socket
      entry.closed[role] = new Promise((resolve) => { socket.once('close', () => { resolve() }) })
      complete(token, entry)
    })
  }

  function onLine (line: string): void {
    const [kind, token = '', a = '', b = ''] = line.split(' ')
    if (kind === 'l') {
      stderrs.get(token)?.stream.push(Buffer.from(a, 'base64'))
      return
    }
    if (kind === 'c') {
      stderrs.get(token)?.end()
      stderrs.delete(token)
      return
    }
    if (kind === 'r') {
      state = 'ready'
      failedStarts = 0
      return
    }
    if (kind === 'n') {
      state = 'unavailable'
      onWarning(`scripts start with Node's spawn: ${line.slice(2)}`)
      return
    }
    const entry = pending.get(token)
    if (entry === undefined) return
    if (kind === 's') {
      entry.pid = Number(a)
      listed.add(entry.pid)
      complete(token, entry)
    } else if (kind === 'e') {
      pending.delete(token)
      stderrs.delete(token)
      for (const socket of Object.values(entry.sockets)) socket.destroy()
      entry.settled = true
      entry.reject(spawnError(a, entry.request.command))
    } else if (kind === 'x') {
      entry.exit?.(exitStatusOf(a, b))
    }
  }

  function died (): void {
    if (child === undefined) return
    child = undefined
    server?.close()
    server = undefined
    diedAt = Date.now()
    if (state === 'starting' && ++failedStarts >= FAILED_STARTS) {
      state = 'unavailable'
      onWarning(`the script spawner ended ${FAILED_STARTS} times before it was ready; scripts start with Node's spawn`)
    } else if (state !== 'unavailable') {
      state = 'idle'
      onWarning('the script spawner ended; scripts start with Node\'s spawn until it is started again')
    }
    // Nobody reaps its scripts now, nor kills their groups if servekit dies: the guardian does.
    for (const pid of listed) guardian.watch(pid)
    listed.clear()
    // Nobody reads their stderr either: a script that writes there now meets a closed pipe.
    for (const stderr of stderrs.values()) stderr.end()
    stderrs.clear()
    for (const [token, entry] of pending) {
      pending.delete(token)
      if (!entry.settled) {
        entry.settled = true
        for (const socket of Object.values(entry.sockets)) socket.destroy()
        entry.reject(spawnError('EIO', entry.request.command))
      }
      entry.exit?.({ code: null, signal: null })
    }
  }

  function launch (): void {
    state = 'starting'
    const name = `servekit-spawner-${randomUUID()}`
    const listening = createServer({ allowHalfOpen: false, pauseOnConnect: false }, accepted)
    server = listening
    listening.unref()
    listening.once('error', (error) => {
      state = 'unavailable'
      onWarning(`scripts start with Node's spawn: the spawner's socket failed: ${error.message}`)
      child?.kill('SIGKILL')
    })
    listening.listen(`\0${name}`, () => {
      if (server !== listening) return
      const started = spawn(python, ['-I', '-S', '-c', SPAWNER_PROGRAM, name], {
        cwd: '/',
        detached: true,
        stdio: ['pipe', 'pipe', 'ignore']
      })
      child = started
      started.unref()
      for (const stream of [started.stdin, started.stdout]) (stream as unknown as Socket).unref()
      started.stdin!.on('error', () => {})
      started.once('error', (error) => {
        state = 'unavailable'
        onWarning(`scripts start with Node's spawn: cannot run ${python}: ${error.message}`)
      })
      started.once('close', died)
      let partial = ''
      started.stdout!.setEncoding('latin1').on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n')
        partial = lines.pop() as string
        for (const line of lines) onLine(line)
      })
    })
  }

  return {
    start (request) {
      if (state === 'idle' && Date.now() - diedAt >= RESTART_MS) launch()
      if (state !== 'ready' || child?.stdin == null) return undefined
      const token = randomUUID()
      let exit: ((status: ExitStatus) => void) | undefined
      const exited = new Promise<ExitStatus>((resolve) => { exit = resolve })
      const stderr = relayed()
      stderrs.set(token, stderr)
      const started = new Promise<SpawnedScript>((resolve, reject) => {
        pending.set(token, { request, resolve, reject, sockets: {}, closed: {}, exit, exited, stderr, settled: false })
      })
      child.stdin.write(JSON.stringify(['s', token, request.command, [request.argv0, ...request.args], request.cwd, request.env, request.withStdin, request.stderrMax]) + '\n')
      return started
    },
    get pid () { return child?.pid }
  }
}
