// Certificates made on the spot, an HTTPS client that pins its CA, and a logger
// whose lines a test can read.
import { createPrivateKey } from 'node:crypto'
import { request, type RequestOptions } from 'node:https'
import { isIP } from 'node:net'
import { Writable } from 'node:stream'
import pino, { type Logger } from 'pino'
import { generate } from 'selfsigned'

export interface TestCertificate {
  key: string
  cert: string
}

export interface TestCertificateOptions {
  names?: string[]
  keyType?: 'ec' | 'rsa'
  notBefore?: Date
  notAfter?: Date
}

const DAY_MS = 86_400_000

export async function testCertificate ({ names = ['localhost', '127.0.0.1'], keyType = 'ec', notBefore, notAfter }: TestCertificateOptions = {}): Promise<TestCertificate> {
  const from = notBefore ?? new Date(Date.now() - DAY_MS)
  const pems = await generate([{ name: 'commonName', value: 'servekit test' }], {
    keyType,
    algorithm: 'sha256',
    notBeforeDate: from,
    notAfterDate: notAfter ?? new Date(from.getTime() + 90 * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: keyType === 'rsa', critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: names.map((name) => isIP(name) === 0 ? { type: 2, value: name } : { type: 7, ip: name }) }
    ]
  })
  return { key: pems.private, cert: pems.cert.endsWith('\n') ? pems.cert : pems.cert + '\n' }
}

/** The key re-exported as an encrypted PKCS#8 PEM (`ENCRYPTED PRIVATE KEY`). */
export function encryptKey (key: string, passphrase: string): string {
  return createPrivateKey(key).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }) as string
}

export interface HttpsResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

/** GET over TLS trusting only `ca`, the way a browser that was told to trust the certificate would. */
export async function httpsGet (port: number, path: string, options: RequestOptions = {}): Promise<HttpsResponse> {
  return await new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, ...options }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { text += chunk })
      res.on('error', reject)
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }))
    })
    req.on('error', reject)
    req.end()
  })
}

export interface CapturedLog {
  logger: Logger
  entries: Array<Record<string, unknown>>
}

export function captureLog (): CapturedLog {
  const entries: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write (chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') entries.push(JSON.parse(line) as Record<string, unknown>)
      done()
    }
  })
  return { logger: pino({ level: 'debug' }, stream), entries }
}
