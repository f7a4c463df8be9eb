// The listing's scripts. They enhance a page that works without them: times in the
// viewer's local zone (the UTC value stays in each <time>'s datetime), sorting in place
// by a header click (the header links still sort on the server), a filter that hides
// rows as you type, and keys: `/` to filter, arrows to move between names, Enter to
// open the first match, Escape to clear. With uploads on, a second script sends the upload
// form's files one request each with a progress bar, takes files and folders dropped on the
// page, and offers a folder picker; a dropped folder's files carry their relative path
// in a `path` field, from which the server makes the folders (plugins/upload). Only pages
// with the upload form carry it. Each is served inline and allowed by its hash only.
import { createHash } from 'node:crypto'

const SOURCE = String.raw`(() => {
  const d = document
  const body = d.querySelector('.ls tbody')
  if (body === null) return
  const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' })
  const two = (n) => (n < 10 ? '0' : '') + n
  const items = []
  for (const row of body.rows) {
    if (row.className === 'up') continue
    const cells = row.cells
    const link = cells[0].firstChild
    const time = cells[2].firstChild
    const dir = row.className === 'd'
    const name = dir ? link.textContent.slice(0, -1) : link.textContent
    const when = new Date(time.dateTime)
    time.textContent = when.getFullYear() + '-' + two(when.getMonth() + 1) + '-' + two(when.getDate()) + ' ' + two(when.getHours()) + ':' + two(when.getMinutes())
    items.push({ row, name, lower: name.toLowerCase(), dir, size: dir ? 0 : Number(cells[1].title.replace(/\D/g, '')), mtime: when.getTime() })
  }
  for (const zone of d.querySelectorAll('.tz')) zone.remove()

  // The server's order: folders first, then the key, names in natural order breaking ties.
  const byName = (a, b) => collator.compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  const compare = { name: byName, size: (a, b) => a.size - b.size || byName(a, b), mtime: (a, b) => a.mtime - b.mtime || byName(a, b) }
  const heads = [...d.querySelectorAll('.ls th')]
  const sortBy = (key, order) => {
    if (compare[key] === undefined) return
    const sign = order === 'desc' ? -1 : 1
    items.sort((a, b) => a.dir !== b.dir ? (a.dir ? -1 : 1) : sign * compare[key](a, b))
    const rows = d.createDocumentFragment()
    for (const item of items) rows.append(item.row)
    body.append(rows)
    for (const th of heads) {
      const link = th.querySelector('a')
      const own = new URL(link.href).searchParams.get('sort')
      const on = own === key
      if (on) th.setAttribute('aria-sort', order === 'desc' ? 'descending' : 'ascending')
      else th.removeAttribute('aria-sort')
      th.querySelector('.ar').textContent = on ? (order === 'desc' ? '↓' : '↑') : ''
      link.setAttribute('href', '?sort=' + own + '&order=' + (on && order !== 'desc' ? 'desc' : 'asc'))
    }
  }
  for (const th of heads) {
    th.querySelector('a').addEventListener('click', (event) => {
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || event.button !== 0) return
      event.preventDefault()
      const query = new URL(event.currentTarget.href).searchParams
      sortBy(query.get('sort'), query.get('order'))
      history.replaceState(null, '', '?sort=' + query.get('sort') + '&order=' + query.get('order'))
    })
  }

  const box = d.querySelector('.filter')
  const filter = d.getElementById('filter')
  const shown = d.getElementById('shown')
  box.hidden = false
  let last = ''
  const narrow = () => {
    const text = filter.value.trim().toLowerCase()
    if (text === last) return
    last = text
    let count = 0
    for (const item of items) {
      const match = text === '' || item.lower.includes(text)
      if (item.row.hidden === match) item.row.hidden = !match
      if (match) count++
    }
    shown.textContent = text === '' ? '' : count === 0 ? 'No names match' : count + ' of ' + items.length + ' shown'
  }
  // Each narrowing restyles every row: on a big folder, only once typing pauses.
  let pending = 0
  filter.addEventListener('input', () => {
    clearTimeout(pending)
    if (items.length < 1000) narrow()
    else pending = setTimeout(narrow, 150)
  })
  // A value the browser restored on going back narrows the rows again.
  narrow()

  const names = () => [...body.querySelectorAll('tr:not([hidden]) td:first-child a')]
  d.addEventListener('keydown', (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return
    const here = d.activeElement
    if (event.key === '/' && !(here instanceof HTMLInputElement)) {
      event.preventDefault()
      filter.focus()
      filter.select()
    } else if (here === filter && event.key === 'Escape') {
      filter.value = ''
      narrow()
    } else if (here === filter && event.key === 'Enter') {
      narrow()
      const first = items.find((item) => !item.row.hidden)
      if (first !== undefined) first.row.cells[0].firstChild.click()
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (here === filter) narrow()
      const all = names()
      const at = all.indexOf(here)
      if (at === -1 && here !== filter) return
      event.preventDefault()
      const next = here === filter ? (event.key === 'ArrowDown' ? 0 : -1) : at + (event.key === 'ArrowDown' ? 1 : -1)
      if (next < 0) filter.focus()
      else if (next < all.length) all[next].focus()
    }
  })
})()`

const UPLOAD_SOURCE = String.raw`(() => {
  const d = document
  const form = d.querySelector('form.upl')
  if (form === null) return
  const progress = d.querySelector('.prog')
  const bar = progress.querySelector('progress')
  const status = d.getElementById('up-status')
  const zone = d.querySelector('.drop')
  const picker = d.getElementById('up-files')
  const folderPicker = d.getElementById('up-dir')
  const folderButton = d.getElementById('up-dir-btn')
  const label = (item) => item.path === '' ? item.file.name : item.path
  // One request per file: its own answer (a 409 for one name does not lose the others).
  const send = (item, onProgress) => new Promise((resolve) => {
    const data = new FormData()
    if (item.path !== '') data.append('path', item.path)
    data.append('file', item.file, item.file.name)
    const xhr = new XMLHttpRequest()
    xhr.open('POST', location.pathname)
    xhr.setRequestHeader('Accept', 'application/json')
    xhr.upload.onprogress = (event) => { if (event.lengthComputable) onProgress(Math.min(event.loaded / event.total, 1) * item.file.size) }
    xhr.onload = () => {
      let message = 'HTTP ' + xhr.status
      try { message = JSON.parse(xhr.responseText).message || message } catch {}
      resolve(xhr.status === 201 ? '' : message)
    }
    xhr.onerror = () => resolve('the connection failed')
    xhr.send(data)
  })
  let busy = false
  const upload = async (items) => {
    if (busy || items.length === 0) return
    busy = true
    const total = items.reduce((sum, item) => sum + item.file.size, 0) || 1
    const failed = []
    let sent = 0
    progress.hidden = false
    bar.value = 0
    for (let i = 0; i < items.length; i++) {
      status.textContent = 'Uploading ' + (i + 1) + ' of ' + items.length + ': ' + label(items[i])
      const error = await send(items[i], (loaded) => { bar.value = (sent + loaded) / total })
      sent += items[i].file.size
      bar.value = sent / total
      if (error !== '') failed.push(label(items[i]) + ': ' + error)
    }
    busy = false
    if (failed.length === 0) {
      status.textContent = 'Uploaded ' + items.length + (items.length === 1 ? ' file' : ' files')
      location.reload()
      return
    }
    status.textContent = (items.length - failed.length) + ' of ' + items.length + ' uploaded. ' + failed.join('; ')
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    if (picker.files.length === 0) status.textContent = 'Choose files first'
    progress.hidden = false
    void upload([...picker.files].map((file) => ({ file, path: '' })))
  })
  folderButton.hidden = false
  folderButton.addEventListener('click', () => folderPicker.click())
  folderPicker.addEventListener('change', () => { void upload([...folderPicker.files].map((file) => ({ file, path: file.webkitRelativePath || '' }))) })

  // A dropped folder is walked for its files, each with its path below the drop.
  const fileOf = (entry) => new Promise((resolve, reject) => entry.file(resolve, reject))
  const walk = async (entry, prefix, out) => {
    if (entry.isFile) {
      const file = await fileOf(entry)
      out.push({ file, path: prefix === '' ? '' : prefix + file.name })
    } else if (entry.isDirectory) {
      const reader = entry.createReader()
      for (;;) {
        const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject))
        if (batch.length === 0) break
        for (const child of batch) await walk(child, prefix + entry.name + '/', out)
      }
    }
  }
  const carriesFiles = (event) => event.dataTransfer !== null && [...event.dataTransfer.types].includes('Files')
  let depth = 0
  d.addEventListener('dragenter', (event) => {
    if (!carriesFiles(event)) return
    depth++
    zone.hidden = false
  })
  d.addEventListener('dragleave', () => {
    if (--depth > 0) return
    depth = 0
    zone.hidden = true
  })
  d.addEventListener('dragover', (event) => { if (carriesFiles(event)) event.preventDefault() })
  d.addEventListener('drop', async (event) => {
    if (!carriesFiles(event)) return
    event.preventDefault()
    depth = 0
    zone.hidden = true
    // Entries are taken at once: the browser empties the DataTransfer after the event.
    const taken = [...event.dataTransfer.items].filter((item) => item.kind === 'file')
      .map((item) => (item.webkitGetAsEntry === undefined ? null : item.webkitGetAsEntry()) || item.getAsFile())
    const items = []
    for (const entry of taken) {
      if (entry instanceof File) items.push({ file: entry, path: '' })
      else if (entry !== null) await walk(entry, '', items)
    }
    await upload(items)
  })
})()`

// Indentation and comment lines are for people; the newlines stay (statements end there).
const minified = (source: string): string => source.replace(/^\s+/gm, '').replace(/^\/\/.*\n/gm, '')
const hashOf = (script: string): string => `'sha256-${createHash('sha256').update(script).digest('base64')}'`

export const LISTING_SCRIPT = minified(SOURCE)

/** The CSP source that allows this script and no other. */
export const LISTING_SCRIPT_HASH = hashOf(LISTING_SCRIPT)

/** The uploads' script, for pages with the upload form only. */
export const UPLOAD_SCRIPT = minified(UPLOAD_SOURCE)

export const UPLOAD_SCRIPT_HASH = hashOf(UPLOAD_SCRIPT)
