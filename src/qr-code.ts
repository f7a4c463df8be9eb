// `--qr`: the first network URL as a QR code in the terminal, so a phone on the
// same network opens the folder without typing an address.
import { renderUnicodeCompact } from 'uqr'

/** The URL worth a QR code: one a phone can reach, so never localhost. */
export function qrTarget (network: readonly string[]): string | undefined {
  return network.find((url) => /^https?:\/\/\d/.test(url)) ?? network[0]
}

/** The code in half-block characters (two rows per line), then the URL under it. */
export function qrText (url: string): string {
  return `${renderUnicodeCompact(url, { border: 2 })}\n  ${url}\n`
}
