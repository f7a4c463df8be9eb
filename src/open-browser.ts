// `-o/--open`: the URL in the user's browser, as the tutorial's https_server.py
// does with webbrowser.open. The opener is run with an argument array, never
// through a shell, so nothing in a URL is ever interpreted as a command.
import { spawn } from 'node:child_process'

export interface OpenCommand {
  command: string
  args: string[]
}

/**
 * The platform's "open this with the default program". On Windows, `cmd /c
 * start` would parse `&` in a query string as a command separator; the URL
 * protocol handler takes the URL as one argument.
 */
export function openCommand (url: string, platform: NodeJS.Platform = process.platform): OpenCommand {
  switch (platform) {
    case 'darwin':
      return { command: 'open', args: [url] }
    case 'win32':
      return { command: 'rundll32', args: ['url.dll,FileProtocolHandler', url] }
    default:
      return { command: 'xdg-open', args: [url] }
  }
}

/** Starts the browser and does not wait for it; resolves with a one-line problem, if any. */
export async function openBrowser (url: string): Promise<string | undefined> {
  const { command, args } = openCommand(url)
  return await new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'ignore', detached: true })
    child.once('error', (error: NodeJS.ErrnoException) => {
      resolve(`could not open a browser (${command}: ${error.code === 'ENOENT' ? 'not found' : error.message}); open ${url} yourself`)
    })
    child.once('spawn', () => {
      child.unref()
      resolve(undefined)
    })
  })
}
