// The password for `servekit --hash-password USER`: typed at a terminal without being
// shown, or piped in (`printf %s "$PW" | servekit --hash-password ann`). Never from
// argv, where `ps` and shell history would keep it.
import { UsageError } from './errors.js'

const ENTER = new Set(['\r', '\n'])
const CTRL_C = '\u0003'
const CTRL_D = '\u0004'
const BACKSPACES = new Set(['\u007f', '\b'])

/** Reads the password; one trailing line end of piped input is not part of it. */
export async function readPassword (input: NodeJS.ReadStream, prompt: NodeJS.WritableStream): Promise<string> {
  const password = input.isTTY ? await typed(input, prompt) : (await piped(input)).replace(/\r?\n$/, '')
  if (password === '') throw new UsageError('--hash-password needs a password on its input; none was given')
  return password
}

async function piped (input: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of input) chunks.push(Buffer.from(chunk as Buffer))
  return Buffer.concat(chunks).toString('utf8')
}

async function typed (input: NodeJS.ReadStream, prompt: NodeJS.WritableStream): Promise<string> {
  prompt.write('Password (not shown): ')
  input.setRawMode(true)
  input.setEncoding('utf8')
  try {
    return await new Promise<string>((resolve, reject) => {
      let text = ''
      input.on('data', (keys: string) => {
        for (const key of keys) {
          if (ENTER.has(key) || key === CTRL_D) return resolve(text)
          if (key === CTRL_C) return reject(new UsageError('--hash-password: cancelled'))
          text = BACKSPACES.has(key) ? [...text].slice(0, -1).join('') : text + key
        }
      })
      input.resume()
    })
  } finally {
    input.setRawMode(false)
    input.pause()
    prompt.write('\n')
  }
}
