// A throwaway self-signed certificate for the HTTPS scenario, shared by servekit
// and Python so both do the same handshake. node:crypto makes keys but not X.509
// certificates, so this uses the openssl command.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export async function makeCertificate (openssl: string, folder: string): Promise<{ cert: string, key: string }> {
  const cert = join(folder, 'cert.pem')
  const key = join(folder, 'key.pem')
  await run(openssl, [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', key, '-out', cert
  ])
  return { cert, key }
}
