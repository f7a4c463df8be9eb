// What to execute for a checked script, decided from its first bytes as read through
// the checked descriptor, the way the kernel would decide it. Executing the script by
// its path would have the kernel resolve the path again, and a file swapped in between
// (a link to /bin/sh) would run on the request body. So:
// - a binary (ELF) is executed through the descriptor itself, /proc/<pid>/fd/<n>, with
//   its path as argv[0]: exactly the file that was checked runs;
// - a `#!` script runs the interpreter its checked first line names, with the argv the
//   kernel builds (interpreter, its one optional argument, the script's path). The
//   interpreter still opens the script by path: that window stays, by the nature of #!
//   (closing it would mean running scripts as /dev/fd/N, which changes their $0,
//   sys.argv[0] and __file__);
// - anything else runs as `/bin/sh <path>`, as execvp (and so Node's spawn) does for an
//   executable text without `#!`.
import { resolve } from 'node:path'

/** The kernel reads this much of a file to decide how to run it (BINPRM_BUF_SIZE). */
export const HEAD_BYTES = 256

export interface ExecPlan {
  command: string
  /** After argv[0]. */
  args: string[]
  argv0: string
}

const ELF = Buffer.from([0x7f, 0x45, 0x4c, 0x46])

/** Splits at the first space or tab, as the kernel's #! parser does (a CR stays part of the name). */
function firstWord (text: string): [string, string] {
  const at = text.search(/[ \t]/)
  return at === -1 ? [text, ''] : [text.slice(0, at), text.slice(at)]
}

/**
 * `head`: the file's first HEAD_BYTES bytes (fewer for a short file); `descriptorPath`:
 * where the checked descriptor is open, for another process too. Throws when the #!
 * line is longer than the kernel reads.
 */
export function execPlanOf (head: Buffer, filename: string, cwd: string, descriptorPath: string): ExecPlan {
  if (head.subarray(0, 4).equals(ELF)) return { command: descriptorPath, args: [], argv0: filename }
  if (head[0] === 0x23 && head[1] === 0x21) {
    const end = head.indexOf(0x0a)
    if (end === -1 && head.length >= HEAD_BYTES) throw new Error(`its #! line is longer than ${HEAD_BYTES - 1} bytes`)
    const line = head.subarray(2, end === -1 ? head.length : end).toString('utf8').replace(/^[ \t]+/, '')
    const [interpreter, rest] = firstWord(line)
    const argument = rest.replace(/^[ \t]+|[ \t]+$/g, '')
    if (interpreter !== '') {
      // A relative interpreter is found from the script's folder, as the kernel does: no PATH search.
      return { command: resolve(cwd, interpreter), args: argument === '' ? [filename] : [argument, filename], argv0: interpreter }
    }
  }
  return { command: '/bin/sh', args: [filename], argv0: '/bin/sh' }
}
