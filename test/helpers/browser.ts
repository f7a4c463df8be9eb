// Debian's Chromium driven by playwright-core, for the browser tests and the screenshot
// script. No browser is ever downloaded: without /usr/bin/chromium, `openBrowser` says so
// and gives nothing, and the tests skip.
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'

/** Why the browser tests cannot run here, or undefined when they can. */
export const NO_BROWSER = existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (apt-get install chromium): browser tests skipped`

// Without the background-networking flags Chromium keeps calling Google's hosts, which
// this network refuses; the sandbox needs a user namespace a root container lacks.
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage']

export interface Browser {
  context: BrowserContext
  close: () => Promise<void>
}

/** One headless Chromium with a fresh profile in a temporary folder, removed on close. */
export async function openBrowser (): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'servekit-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    locale: 'en-US',
    timezoneId: 'UTC',
    viewport: { width: 1280, height: 900 }
  })
  return {
    context,
    close: async () => {
      await context.close()
      await rm(profile, { recursive: true, force: true })
    }
  }
}
