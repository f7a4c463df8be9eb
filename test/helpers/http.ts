// A client that sends the request target exactly as written: fetch and inject
// normalise `..` and `%2e%2e` away, which would hide traversal bugs.
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http'
import { connect } from 'node:net'

export interface Response {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
  text: string
}

export interface RequestOptions {
  method?: string
  headers?: OutgoingHttpHeaders
  body?: string | Buffer
}

export async function get (base: string, path: string, options: RequestOptions = {}): Promise<Response> {
  const url = new URL(base)
  return await new Promise((resolve, reject) => {
    const req = httpRequest({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port,
      path,
      method: options.method ?? 'GET',
      headers: options.headers,
      agent: false
    }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', reject)
      res.on('end', () => {
        const body = Buffer.concat(chunks)
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') })
      })
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

/** Writes raw bytes to the server and returns everything it answers until it closes. */
export async function raw (port: number, bytes: string | Buffer, host = '127.0.0.1'): Promise<string> {
  return await new Promise((resolve, reject) => {
    const socket = connect({ port, host }, () => socket.end(bytes))
    const chunks: Buffer[] = []
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')))
  })
}

/**
 * Writes raw bytes without closing our side and returns everything the server
 * answers until it closes. Use `Connection: close` on the last request: Node's
 * server aborts requests in flight when the client half-closes, as `raw` does.
 */
export async function exchange (port: number, bytes: string | Buffer, host = '127.0.0.1'): Promise<string> {
  return await new Promise((resolve, reject) => {
    const socket = connect({ port, host }, () => socket.write(bytes))
    const chunks: Buffer[] = []
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')))
  })
}

/** Starts a download from 127.0.0.1 and holds it open: nothing is read until the caller resumes it. */
export async function startDownload (port: number, path: string): Promise<IncomingMessage> {
  return await new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.pause()
      resolve(res)
    }).on('error', reject).end()
  })
}
