// What this machine and this servekit build can do: flags servekit offers (the CGI,
// echo and TLS flags land from other branches), Python, peers.
import { execFile } from 'node:child_process'
import { access, constants } from 'node:fs/promises'
import { delimiter, join } from 'node:path'
import { promisify } from 'node:util'
import { BenchUsageError } from './args.js'

const run = promisify(execFile)

/** Long flags named in a `--help` text, without their dashes. */
export function flagsFromHelp (help: string): Set<string> {
  return new Set([...help.matchAll(/(?<![\w-])--([a-z][a-z0-9-]*)/g)].map((match) => match[1]!))
}

export async function servekitFlags (node: string, cli: string): Promise<Set<string>> {
  try {
    const { stdout } = await run(node, [cli, '--help'])
    return flagsFromHelp(stdout)
  } catch (error) {
    const lines = ((error as { stderr?: string }).stderr ?? '').split('\n')
    const reason = lines.find((line) => /Error\b/.test(line))?.trim() ?? (error as Error).message
    throw new BenchUsageError(`cannot run ${cli} --help (${reason}); build it first with npm run build`)
  }
}

/** First executable called `name` on PATH (and the sbin folders, where nginx lives), or undefined. */
export async function findExecutable (name: string, path = process.env.PATH ?? ''): Promise<string | undefined> {
  const folders = [...path.split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'].filter((folder) => folder !== '')
  for (const folder of folders) {
    const candidate = join(folder, name)
    try {
      await access(candidate, constants.X_OK)
      return candidate
    } catch {}
  }
  return undefined
}

// Prints the interpreter, its version, and the interpreter a CGI script's
// `#!/usr/bin/env python3` gets under http.server: as root, its CGI handler runs
// scripts as `nobody`, who cannot reach interpreters under /root (pyenv).
const PYTHON_PROBE = `
import os, platform, pwd, shutil, sys
print(sys.executable)
print(platform.python_version())
cgi = sys.executable
try:
    if os.getuid() == 0:
        os.setuid(pwd.getpwnam("nobody").pw_uid)
        found = shutil.which("python3")
        if found:
            cgi = os.path.realpath(found)
except (KeyError, OSError):
    pass
print(cgi)
`

export interface PythonFound {
  /** The real interpreter, not a version manager's shell-script shim (which costs tens of ms per start). */
  path: string
  version: string
  /** The interpreter both servers' CGI scripts should run, so hello.py costs the same under each. */
  cgiInterpreter: string
}

export async function findPython (): Promise<PythonFound | undefined> {
  try {
    const { stdout } = await run('python3', ['-c', PYTHON_PROBE])
    const [path, version, cgiInterpreter] = stdout.trim().split('\n')
    if (path === undefined || version === undefined || cgiInterpreter === undefined) return undefined
    return { path, version: `Python ${version}`, cgiInterpreter }
  } catch {
    return undefined
  }
}
