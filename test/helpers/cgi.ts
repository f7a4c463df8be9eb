// CGI scripts for fixtures: POSIX sh, executable.
import type { Node } from './fixtures.js'

/** An executable `#!/bin/sh` script with this body. */
export function sh (body: string, mode = 0o755): Node {
  return { content: `#!/bin/sh\n${body}\n`, mode }
}

/** Parses `env` output (NAME=value lines) into an object. */
export function parseEnv (text: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=')
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return env
}
