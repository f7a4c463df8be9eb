// Text into HTML. Anything a client or a file name controls goes through here
// before it reaches a page, so no name or form value can become markup.
const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
const SPECIAL = /[&<>"']/

/** Escapes text for an element body or a quoted attribute value. */
export function escapeHtml (text: string): string {
  // Most names need nothing: a test is cheaper than a replace that builds a new string.
  return SPECIAL.test(text) ? text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!) : text
}
