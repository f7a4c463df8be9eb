// Type cues for listing rows: a one-letter class per row, and CSS that draws each type's
// icon from an inline SVG. No image is requested (the page's CSP allows `data:` images
// only, besides its own origin), and a row costs a few bytes, not an <svg> each.
import type { ListingEntry } from './listing.js'

const GROUPS: Record<string, string> = {
  i: 'png jpg jpeg gif webp avif svg bmp ico tif tiff heic heif jxl',
  v: 'mp4 m4v mov webm mkv avi wmv mpg mpeg ogv 3gp flv',
  a: 'mp3 wav flac ogg oga opus m4a aac wma mid midi aif aiff',
  z: 'zip tar gz tgz bz2 xz zst 7z rar jar war deb rpm iso dmg apk whl',
  c: 'js mjs cjs ts mts cts tsx jsx json py rb go rs c h cc cpp hpp java kt swift sh bash zsh fish ps1 php pl lua css scss sass less html htm xml yml yaml toml ini sql vue svelte dart scala cs r ex exs erl hs ml clj nix wasm ipynb',
  t: 'txt md markdown rst log csv tsv tex rtf nfo conf cfg adoc org srt vtt',
  p: 'pdf'
}

const KIND_OF_EXTENSION = new Map<string, string>()
for (const [kind, extensions] of Object.entries(GROUPS)) for (const extension of extensions.split(' ')) KIND_OF_EXTENSION.set(extension, kind)

/** The row class of an entry: `d` folder, `i` image, `v` video, `a` audio, `z` archive, `c` code, `t` text, `p` PDF, '' anything else. */
export function kindOf (entry: ListingEntry): string {
  if (entry.type === 'directory') return 'd'
  const dot = entry.name.lastIndexOf('.')
  if (dot <= 0) return ''
  return KIND_OF_EXTENSION.get(entry.name.slice(dot + 1).toLowerCase()) ?? ''
}

/** A CSS url() of an SVG drawn on a 20×20 grid. */
function svg (shapes: string): string {
  const text = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 20" fill="none" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round">${shapes}</svg>`
  return `url("data:image/svg+xml,${text.replace(/"/g, "'").replace(/</g, '%3C').replace(/>/g, '%3E').replace(/#/g, '%23')}")`
}

// A page with a folded corner, in a grey that reads on light and dark backgrounds alike;
// each type draws its mark on it in its own colour.
const PAGE = '<path stroke="#8c959f" d="M5 1.75h6.5L16 6.25V17.25a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V2.75a1 1 0 0 1 1-1z"/><path stroke="#8c959f" d="M11.5 1.75v4.5H16"/>'

const ICONS: Record<string, string> = {
  d: '<path fill="#d29922" d="M1.5 4.5a1.5 1.5 0 0 1 1.5-1.5h4.6l2 2H17a1.5 1.5 0 0 1 1.5 1.5v9A1.5 1.5 0 0 1 17 17H3a1.5 1.5 0 0 1-1.5-1.5z"/><path fill="#e9b949" d="M1.5 8h17v7.5A1.5 1.5 0 0 1 17 17H3a1.5 1.5 0 0 1-1.5-1.5z"/>',
  '': PAGE,
  t: PAGE + '<path stroke="#8c959f" d="M7 10h6M7 12.5h6M7 15h3.5"/>',
  c: PAGE + '<path stroke="#0969da" d="M8.5 9.5 6.75 12l1.75 2.5m3-5 1.75 2.5-1.75 2.5"/>',
  i: PAGE + '<path fill="#1a7f37" stroke="#1a7f37" stroke-width="1" d="m6.5 15.5 2.5-3.5 1.75 2.25L12 13l1.5 2.5z"/><circle cx="12.25" cy="9.75" r="1.25" fill="#1a7f37"/>',
  v: PAGE + '<path fill="#8250df" stroke="#8250df" stroke-width="1" d="M8.25 9.5v5.5L12.75 12.25z"/>',
  a: PAGE + '<circle cx="9" cy="14.5" r="1.6" fill="#bf3989"/><path stroke="#bf3989" d="M10.6 14.5V9.25l2.4.75"/>',
  z: PAGE + '<path stroke="#9a6700" d="M9.5 2.5h1M9.5 4.5h1M9.5 6.5h1"/><rect x="8.5" y="9" width="3" height="3.5" rx=".5" stroke="#9a6700"/>',
  p: PAGE + '<rect x="6" y="11" width="8" height="4" rx=".75" fill="#cf222e"/>',
  up: '<path stroke="#8c959f" stroke-width="1.75" d="M10 16V5m-4.5 4.5L10 5l4.5 4.5"/>',
  home: '<path stroke="currentColor" stroke-width="1.6" d="M2.75 9.25 10 3l7.25 6.25M4.75 7.5v9h3.75v-5h3v5h3.75v-9"/>'
}

/** Rules that put each type's icon before the name in its row. */
export const ICON_STYLE = '.ls td:first-child a{background:no-repeat 0 .1em/1.25rem;padding-left:1.85rem}' +
  Object.entries(ICONS).filter(([kind]) => kind !== 'home').map(([kind, shapes]) =>
    `${kind === '' ? '.ls tbody' : `.ls tr.${kind}`} td:first-child a{background-image:${svg(shapes)}}`).join('') +
  `.home{display:inline-block;width:1.3rem;height:1.3rem;vertical-align:-.25rem;margin-right:.35rem;background:no-repeat center/1.3rem;background-image:${svg(ICONS.home!.replace('currentColor', '#636c76'))}}` +
  `@media (prefers-color-scheme:dark){.home{background-image:${svg(ICONS.home!.replace('currentColor', '#8d96a0'))}}}`
