// The Content-Disposition of a download (RFC 6266): `filename` in plain ASCII, which
// every client reads, and, when the real name is anything else, `filename*` with it
// exactly, in UTF-8 (RFC 8187), which clients that know it prefer. Pure.

// Quotes and backslashes would need escaping that clients disagree on; `%` is decoded
// by some browsers in `filename`. All go to `_` in the fallback, like non-ASCII.
const NOT_PLAIN = /[^\x20-\x7e]|["\\%]/g

/** RFC 8187 value characters: encodeURIComponent leaves a few more unescaped. */
function extValue (text: string): string {
  return encodeURIComponent(text).replace(/['()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
}

/** `attachment` named `name`. */
export function attachment (name: string): string {
  const ascii = name.replace(NOT_PLAIN, '_')
  const plain = `attachment; filename="${ascii}"`
  return ascii === name ? plain : `${plain}; filename*=UTF-8''${extValue(name)}`
}
