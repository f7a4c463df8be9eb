// The listing in a real browser (Debian's Chromium): what a visitor does with it.
import { strict as assert } from 'node:assert'
import { after, before, describe, test } from 'node:test'
import type { Page } from 'playwright-core'
import { NO_BROWSER, openBrowser, type Browser } from './helpers/browser.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { serve } from './helpers/server.js'
import type { RunningServer } from '../src/server.js'

const XSS_FILE = '<img src=x onerror=alert(1)>.txt'
const XSS_FOLDER = '<svg onload=alert(2)>'
const QUOTES = `"double" 'single'.txt`

describe('the listing in a browser', { skip: NO_BROWSER }, () => {
  let fixture: Fixture
  let server: RunningServer
  let browser: Browser
  let page: Page
  let base: string
  const dialogs: string[] = []
  const refused: string[] = []

  before(async () => {
    fixture = await makeTree({
      'photos/2026-summer/beach.jpg': 'x',
      'music/': null,
      'small.txt': 'a',
      'medium.txt': 'a'.repeat(2_000),
      'large.bin': 'a'.repeat(50_000),
      'holiday.mp4': 'a'.repeat(10),
      'PXL_20241224_183012345.jpg': 'x',
      'DSC01234.JPG': 'x',
      'notes.md': 'a'.repeat(300),
      'a-really-long-file-name-without-any-spaces-from-a-camera-export-2026.jpeg': 'x',
      [XSS_FILE]: 'x',
      [QUOTES]: 'x',
      [`${XSS_FOLDER}/inside.txt`]: 'x',
      'README.md': '# Read me\n\n<img src=x onerror=alert(3)> <script>alert(4)</script>\n\n[click](javascript:alert(5))\n'
    })
    server = await serve({ directory: fixture.dir })
    base = `http://127.0.0.1:${server.port}`
    browser = await openBrowser()
    page = await browser.context.newPage()
    page.on('dialog', (dialog) => { dialogs.push(dialog.message()); void dialog.dismiss() })
    // A script or style the CSP refuses shows up here; the page has none to refuse.
    page.on('console', (message) => { if (/Content Security Policy|Refused/i.test(message.text())) refused.push(message.text()) })
  })
  after(async () => {
    await browser?.close()
    await server?.close()
    await fixture?.cleanup()
  })

  const focused = async (property: 'id' | 'textContent'): Promise<unknown> => await page.evaluate(`document.activeElement?.${property}`)
  const names = async (): Promise<string[]> => await page.$$eval('.ls tbody tr:not([hidden]):not(.up) td:first-child a', (links) => links.map((a) => a.textContent ?? ''))

  test('a listing opens with its script running under the CSP: local times, the filter shown', async () => {
    await page.setViewportSize({ width: 1280, height: 900 })
    await page.goto(base + '/')
    assert.equal(await page.title(), 'Directory listing for /')
    assert.equal(await page.locator('.ls thead th').nth(2).textContent(), 'Modified')
    assert.equal(await page.locator('#filter').isVisible(), true)
    assert.deepEqual((await names()).slice(0, 3), [`${XSS_FOLDER}/`, 'music/', 'photos/'])
    assert.deepEqual(refused, [])
  })

  test('clicking a column sorts by it, with the state shown and in aria-sort', async () => {
    await page.goto(base + '/')
    await page.getByRole('link', { name: 'Size' }).click()
    const sizes = async (): Promise<string[]> => (await names()).filter((name) => /^(small|medium|large|notes)/.test(name))
    assert.deepEqual(await sizes(), ['small.txt', 'notes.md', 'medium.txt', 'large.bin'])
    assert.equal(await page.locator('th.s').getAttribute('aria-sort'), 'ascending')
    assert.equal(await page.locator('th').first().getAttribute('aria-sort'), null)
    assert.equal(await page.locator('th.s .ar').textContent(), '↑')
    await page.getByRole('link', { name: 'Size' }).click()
    assert.deepEqual(await sizes(), ['large.bin', 'medium.txt', 'notes.md', 'small.txt'])
    assert.equal(await page.locator('th.s').getAttribute('aria-sort'), 'descending')
    assert.match(page.url(), /\?sort=size&order=desc$/)
    // Folders stay first, as on the server (their sizes being equal, by name, reversed).
    assert.deepEqual((await names()).slice(0, 3), ['photos/', 'music/', `${XSS_FOLDER}/`])
  })

  test('the server sorts the same way when the script is not there to do it', async () => {
    await page.goto(base + '/?sort=size&order=desc')
    assert.deepEqual((await names()).filter((name) => /^(small|medium|large|notes)/.test(name)), ['large.bin', 'medium.txt', 'notes.md', 'small.txt'])
    assert.equal(await page.locator('th.s').getAttribute('aria-sort'), 'descending')
  })

  test('typing in the filter narrows the rows as you type; Escape brings them back', async () => {
    await page.goto(base + '/')
    const all = (await names()).length
    await page.locator('#filter').pressSequentially('tx')
    assert.deepEqual((await names()).sort(), [QUOTES, XSS_FILE, 'medium.txt', 'small.txt'].sort())
    assert.equal(await page.locator('#shown').textContent(), `4 of ${all} shown`)
    await page.locator('#filter').pressSequentially('zzz')
    assert.deepEqual(await names(), [])
    assert.equal(await page.locator('#shown').textContent(), 'No names match')
    await page.keyboard.press('Escape')
    assert.equal((await names()).length, all)
  })

  test('a breadcrumb leads to its folder', async () => {
    await page.goto(base + '/photos/2026-summer/')
    const crumbs = page.locator('.crumbs a')
    assert.deepEqual(await crumbs.allTextContents(), ['Home', 'photos', '2026-summer'])
    assert.equal(await crumbs.last().getAttribute('aria-current'), 'page')
    await crumbs.nth(1).click()
    await page.waitForURL(base + '/photos/')
    assert.equal(await page.title(), 'Directory listing for /photos/')
    await page.locator('.crumbs a').first().click()
    await page.waitForURL(base + '/')
  })

  // Where a link's text goes onto a new line: the names cut there, e.g. 'DSC01234.JP|G'.
  const breaks = async (): Promise<string[]> => await page.evaluate(`[...document.querySelectorAll('.ls tbody td:first-child a')].flatMap((a) => {
    const text = a.firstChild
    const name = text.textContent
    const cuts = []
    let top
    for (let i = 0; i < name.length; i++) {
      const range = document.createRange()
      range.setStart(text, i)
      range.setEnd(text, i + 1)
      const rect = range.getClientRects()[0]
      if (rect === undefined) continue
      if (top !== undefined && rect.top > top + 2) cuts.push(name.slice(0, i) + '|' + name.slice(i))
      top = rect.top
    }
    return cuts
  })`) as string[]

  test('on a phone (390×844 and 360×740) nothing scrolls sideways and no everyday name is cut', async () => {
    for (const [width, height] of [[390, 844], [360, 740]] as const) {
      await page.setViewportSize({ width, height })
      await page.goto(base + '/')
      const { scroll, client } = await page.evaluate('({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })') as { scroll: number, client: number }
      assert.ok(scroll <= client, `page is ${scroll}px wide in a ${client}px viewport`)
      // Camera names and the like fit on one line; only the 70-letter name may wrap.
      const cut = (await breaks()).filter((name) => !name.startsWith('a-really-long'))
      assert.deepEqual(cut, [], `at ${width}px`)
    }
    await page.setViewportSize({ width: 1280, height: 900 })
  })

  test('on a phone the whole name cell is the link, a thumb high, and the filter still hides rows', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto(base + '/')
    const boxes = await page.$$eval('.ls tbody tr:not(.up)', (rows) => rows.map((row) => {
      const link = row.querySelector('td:first-child a')!.getBoundingClientRect()
      return { row: row.getBoundingClientRect().height, width: link.width, height: link.height }
    }))
    assert.ok(Math.min(...boxes.map((box) => box.row)) >= 44, `shortest row ${Math.min(...boxes.map((box) => box.row))}px`)
    assert.ok(Math.min(...boxes.map((box) => box.height)) >= 40, `shortest link ${Math.min(...boxes.map((box) => box.height))}px`)
    assert.ok(Math.min(...boxes.map((box) => box.width)) >= 300, `narrowest link ${Math.min(...boxes.map((box) => box.width))}px`)
    // Size and time sit under the name, inside the row.
    const under = await page.locator('tr', { hasText: 'DSC01234.JPG' }).evaluate((row) => {
      const [name, size] = [...row.children].map((cell) => cell.getBoundingClientRect())
      return size!.top >= name!.bottom - 1
    })
    assert.equal(under, true)
    await page.locator('#filter').fill('DSC')
    assert.deepEqual(await names(), ['DSC01234.JPG'])
    assert.equal(await page.locator('.ls tbody tr:not(.up)').evaluateAll((rows) => rows.filter((row) => row.getBoundingClientRect().height > 0).length), 1)
    await page.setViewportSize({ width: 1280, height: 900 })
  })

  test('hostile names stay text: no dialog, no injected element, in rows, titles and breadcrumbs', async () => {
    await page.goto(base + '/')
    await page.locator('#filter').fill('<')
    await page.locator('#filter').dispatchEvent('input')
    await page.goto(base + '/' + encodeURIComponent(XSS_FOLDER) + '/')
    assert.equal(await page.title(), `Directory listing for /${XSS_FOLDER}/`)
    assert.equal(await page.locator('.crumbs [aria-current]').textContent(), XSS_FOLDER)
    await page.goto(base + '/')
    assert.ok((await names()).includes(XSS_FILE))
    assert.ok((await names()).includes(QUOTES))
    assert.equal(await page.locator('img, body svg, .md script, .md a').count(), 0)
    assert.match(String(await page.locator('.md').textContent()), /<img src=x onerror=alert\(3\)>/)
    assert.deepEqual(dialogs, [])
  })

  test('the keyboard reaches every name with a visible focus: / to filter, arrows to move', async () => {
    await page.goto(base + '/')
    await page.keyboard.press('/')
    assert.equal(await focused('id'), 'filter')
    await page.keyboard.press('ArrowDown')
    const first = await focused('textContent')
    assert.equal(first, `${XSS_FOLDER}/`)
    await page.keyboard.press('ArrowDown')
    assert.equal(await focused('textContent'), 'music/')
    await page.keyboard.press('Tab')
    const outline = await page.evaluate('({ style: getComputedStyle(document.activeElement).outlineStyle, width: getComputedStyle(document.activeElement).outlineWidth })') as { style: string, width: string }
    assert.notEqual(outline.style, 'none')
    assert.notEqual(outline.width, '0px')
    await page.keyboard.press('/')
    await page.keyboard.type('holi')
    await page.keyboard.press('Enter')
    await page.waitForURL(base + '/holiday.mp4')
  })
})
