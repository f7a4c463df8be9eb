// A folder's README as HTML under its listing. Anyone who can write a file in the folder
// writes this, so it goes through markdown-it with raw HTML off: tags come out as text,
// and links or images with javascript:, vbscript:, file: or non-image data: URLs are
// refused (left as text) by its validateLink.
import MarkdownIt from 'markdown-it'

let renderer: InstanceType<typeof MarkdownIt> | undefined

/** Markdown in, safe HTML out: every byte of the input is escaped or markup of markdown-it's own. */
export function renderReadme (markdown: string): string {
  renderer ??= new MarkdownIt({ html: false, linkify: true, typographer: false })
  return renderer.render(markdown)
}
