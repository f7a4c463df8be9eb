// One request from the harness: readiness polls, response checks and cold starts.
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'

export interface ProbeRequest {
  method: 'GET' | 'POST' | 'PUT'
  path: string
  headers?: Record<string, string>
  body?: string
  /** A body of this many bytes of `x` instead (an upload): too big to pass as text. */
  bodySize?: number
}

/** The body `request` sends. */
export function bodyOf (request: Pick<ProbeRequest, 'body' | 'bodySize'>): string | Buffer | undefined {
  return request.bodySize === undefined ? request.body : Buffer.alloc(request.bodySize, 'x')
}

export interface ProbeResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  /** Bytes in the whole body. */
  size: number
  /** The body's start as UTF-8, enough to check a listing or a JSON echo. */
  text: string
}

// Enough for the whole of a 10,000-entry listing page from any server (Caddy's is near 8 MB).
const KEEP_BYTES = 16 * 1024 * 1024

export interface Target {
  port: number
  tls: boolean
}

export async function probe ({ port, tls }: Target, request: ProbeRequest, timeoutMs = 10_000): Promise<ProbeResponse> {
  const send = tls ? httpsRequest : httpRequest
  return await new Promise((resolve, reject) => {
    const req = send({
      host: '127.0.0.1',
      port,
      method: request.method,
      path: request.path,
      headers: request.headers,
      agent: false,
      // The servers under test use throwaway self-signed certificates on loopback.
      rejectUnauthorized: false,
      // Python's CGI handler relays a script's header block as printed: LF line
      // ends, which Node's strict parser rejects (autocannon's parser accepts them).
      insecureHTTPParser: true,
      timeout: timeoutMs
    }, (res) => {
      const kept: Buffer[] = []
      let size = 0
      res.on('data', (chunk: Buffer) => {
        if (size < KEEP_BYTES) kept.push(chunk)
        size += chunk.length
      })
      res.on('error', reject)
      res.on('end', () => resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        size,
        text: Buffer.concat(kept).subarray(0, KEEP_BYTES).toString('utf8')
      }))
    })
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end(bodyOf(request))
  })
}
