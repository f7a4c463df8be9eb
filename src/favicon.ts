// The icon servekit answers `/favicon.ico` with when the folder has none of its own, so a
// browser's automatic request stops 404ing after every page (and filling the log).
// SVG, which every current browser takes at that path when labelled as such.
export const FAVICON = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">' +
  '<path fill="#d29922" d="M2 7a3 3 0 0 1 3-3h7l3 3h12a3 3 0 0 1 3 3v15a3 3 0 0 1-3 3H5a3 3 0 0 1-3-3z"/>' +
  '<path fill="#f2cc60" d="M2 12h28v13a3 3 0 0 1-3 3H5a3 3 0 0 1-3-3z"/>' +
  '<path fill="none" stroke="#7d4e00" stroke-width="2.4" stroke-linecap="round" stroke-linejoin="round" d="m13 16-4 4 4 4m6-8 4 4-4 4"/></svg>')

export const FAVICON_HEADERS = {
  'content-type': 'image/svg+xml',
  // A week: long enough that browsers stop asking, short enough that a favicon.ico added
  // to the folder later is picked up.
  'cache-control': 'public, max-age=604800',
  'x-content-type-options': 'nosniff'
}

/**
 * Named in every page's head, so that a browser which looks for an icon only where a page
 * names one (or skips an SVG at the default path) still finds it. Root-relative: the
 * folder's own favicon.ico when it has one, else the icon above.
 */
export const FAVICON_LINK = '<link rel="icon" href="/favicon.ico">'
