// Picks PEM blocks out of a file that may hold several: a certificate chain, or a
// private key and its certificate together (the layout Python's load_cert_chain
// and our cache use).

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?\r?\n-----END \1-----/g

function blocks (text: string): Array<{ label: string, pem: string }> {
  return [...text.matchAll(BLOCK)].map((match) => ({ label: match[1] ?? '', pem: match[0] + '\n' }))
}

/** Every certificate, in file order: the server's first, then its chain. */
export function certificatesIn (text: string): string[] {
  return blocks(text).filter((block) => block.label === 'CERTIFICATE').map((block) => block.pem)
}

/** The first private key: PKCS#8 (plain or encrypted) or a traditional RSA/EC/DSA key. */
export function privateKeyIn (text: string): string | undefined {
  return blocks(text).find((block) => /^(?:(?:RSA|EC|DSA|ENCRYPTED) )?PRIVATE KEY$/.test(block.label))?.pem
}

/** PKCS#8 `ENCRYPTED PRIVATE KEY`, or a traditional key with `Proc-Type: 4,ENCRYPTED`. */
export function isEncrypted (keyPem: string): boolean {
  return keyPem.startsWith('-----BEGIN ENCRYPTED PRIVATE KEY-----') || /^Proc-Type: *4, *ENCRYPTED/m.test(keyPem)
}
