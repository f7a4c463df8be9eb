// A folder's README as HTML under its listing. Anyone who can write a file in the folder
// writes this, so it goes through markdown-it with raw HTML off: tags come out as text,
// and links or images with javascript:, vbscript:, file: or non-image data: URLs are
// refused (left as text) by its validateLink.
import { createRequire } from 'node:module'
import type MarkdownIt from 'markdown-it'

// Loaded at the first README, not at start-up: importing markdown-it costs ~55 ms of CPU
// that a server whose folders have no README (or --no-readme) never needs.
const load = createRequire(import.meta.url)
let renderer: InstanceType<typeof MarkdownIt> | undefined

/** Markdown in, safe HTML out: every byte of the input is escaped or markup of markdown-it's own. */
export function renderReadme (markdown: string): string {
  if (renderer === undefined) {
    const MarkdownItClass = load('markdown-it') as typeof MarkdownIt
    renderer = new MarkdownItClass({ html: false, linkify: true, typographer: false })
  }
  return renderer.render(markdown)
}
