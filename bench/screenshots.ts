// `npm run screenshots`: the pages people see, photographed in headless Chromium into
// docs/screenshots/ (listing on a desktop and a phone, light and dark; a 404 page; the login demo), from
// a folder made for the purpose with fixed times, so a change in the pictures is a change
// in the pages.
import { mkdir, truncate, utimes } from 'node:fs/promises'
import { join } from 'node:path'
import { startServer } from '../src/server.js'
import { NO_BROWSER, openBrowser } from '../test/helpers/browser.js'
import { makeTree } from '../test/helpers/fixtures.js'

const OUT = join(import.meta.dirname, '..', '..', 'docs', 'screenshots')
const DESKTOP = { width: 1280, height: 900 }
const PHONE = { width: 390, height: 844 }

// Big files are sparse: their sizes show in the listing, no disk is written.
const SIZES: Record<string, number> = {
  'holiday.mp4': 48_234_496,
  'Quarterly report 2026 (final, reviewed).pdf': 1_482_113,
  'logo.png': 20_480,
  'podcast-episode-42.mp3': 31_457_280,
  'backup.zip': 734_003_200,
  'a-really-long-file-name-without-any-spaces-from-a-camera-export.jpeg': 3_145_728
}

const TREE = {
  'photos/2026-summer/beach.jpg': 'x',
  'photos/2026-summer/README.md': '# Summer 2026\n\nPictures from the coast trip. Full-size originals are in `raw/`; ask before sharing.\n\n- **Beach**: the first morning\n- See also the [music folder](/music/)\n',
  'music/album.flac': 'x',
  'src/index.ts': 'export {}\n',
  'docs/guide.md': '# Guide\n',
  'releases/v1.2.0.tar.gz': 'x',
  'holiday.mp4': '',
  'Quarterly report 2026 (final, reviewed).pdf': '',
  'notes.txt': 'Remember the milk.\n',
  'README.md': '# Project files\n\nShared from my laptop with `servekit`.\n',
  'logo.png': '',
  'podcast-episode-42.mp3': '',
  'backup.zip': '',
  'server.py': 'print("hi")\n',
  'a-really-long-file-name-without-any-spaces-from-a-camera-export.jpeg': '',
  LICENSE: 'MIT\n'
}

async function main (): Promise<void> {
  if (NO_BROWSER !== undefined) throw new Error(NO_BROWSER)
  const fixture = await makeTree(TREE, 'servekit-screenshots-')
  for (const [name, size] of Object.entries(SIZES)) await truncate(fixture.path(name), size)
  let when = Date.parse('2026-11-20T09:15:00Z') / 1000
  for (const name of Object.keys(TREE).reverse()) {
    for (let path = name; path !== '.'; path = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '.') {
      await utimes(fixture.path(path), when, when)
    }
    when += 37 * 3600 + 1234
  }
  const server = await startServer({ port: 0, bind: '127.0.0.1', logLevel: 'silent', directory: fixture.dir, login: true })
  const browser = await openBrowser()
  await mkdir(OUT, { recursive: true })
  try {
    const page = await browser.context.newPage()
    const base = `http://127.0.0.1:${server.port}`
    const shots: Array<{ file: string, url: string, viewport: typeof DESKTOP, dark: boolean }> = [
      { file: 'listing-desktop-light.png', url: '/', viewport: DESKTOP, dark: false },
      { file: 'listing-desktop-dark.png', url: '/', viewport: DESKTOP, dark: true },
      { file: 'listing-phone-light.png', url: '/', viewport: PHONE, dark: false },
      { file: 'listing-phone-dark.png', url: '/', viewport: PHONE, dark: true },
      { file: 'folder-desktop-light.png', url: '/photos/2026-summer/', viewport: DESKTOP, dark: false },
      { file: 'not-found-desktop-light.png', url: '/photos/missing.jpg', viewport: DESKTOP, dark: false },
      { file: 'not-found-phone-dark.png', url: '/photos/missing.jpg', viewport: PHONE, dark: true },
      { file: 'login-phone-dark.png', url: '/login', viewport: PHONE, dark: true }
    ]
    for (const shot of shots) {
      await page.setViewportSize(shot.viewport)
      await page.emulateMedia({ colorScheme: shot.dark ? 'dark' : 'light' })
      await page.goto(base + shot.url)
      await page.screenshot({ path: join(OUT, shot.file) })
      console.log(`docs/screenshots/${shot.file}`)
    }
  } finally {
    await browser.close()
    await server.close()
    await fixture.cleanup()
  }
}

await main()
