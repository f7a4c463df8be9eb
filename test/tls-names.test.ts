import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import type { NetworkInterfaceInfo } from 'node:os'
import { test } from 'node:test'
import { certificateNames, missingNames, normalizeName, wantedNames } from '../src/tls/names.js'
import { testCertificate } from './helpers/tls.js'

function iface (address: string, family: 'IPv4' | 'IPv6', internal = false): NetworkInterfaceInfo {
  const common = { address, netmask: '', mac: '00:00:00:00:00:00', internal, cidr: null }
  return family === 'IPv4' ? { ...common, family } : { ...common, family, scopeid: 0 }
}

const INTERFACES = {
  lo: [iface('127.0.0.1', 'IPv4', true), iface('::1', 'IPv6', true)],
  eth0: [iface('192.168.1.20', 'IPv4'), iface('2001:db8::1234', 'IPv6'), iface('fe80::1', 'IPv6')],
  wlan0: [iface('169.254.7.7', 'IPv4')]
}

test('a certificate must name localhost, the loopbacks, the host and every IPv4 interface', () => {
  const names = wantedNames({ hostname: 'Ada-Laptop', bind: undefined, interfaces: INTERFACES })
  assert.deepEqual(names.required, ['localhost', '127.0.0.1', '::1', 'ada-laptop', '192.168.1.20'])
})

test('global IPv6 and IPv4 link-local addresses go in, but their absence does not force a new certificate', () => {
  const names = wantedNames({ hostname: 'ada', bind: undefined, interfaces: INTERFACES })
  assert.deepEqual(names.optional, ['2001:db8::1234', '169.254.7.7'])
})

test('IPv6 link-local addresses are left out: a URL cannot carry their zone', () => {
  const { required, optional } = wantedNames({ hostname: 'ada', bind: undefined, interfaces: INTERFACES })
  assert.ok(![...required, ...optional].includes('fe80::1'))
})

test('a specific bind address is required; a wildcard adds nothing', () => {
  assert.ok(wantedNames({ hostname: 'ada', bind: '10.9.8.7', interfaces: {} }).required.includes('10.9.8.7'))
  assert.ok(wantedNames({ hostname: 'ada', bind: 'files.example.test', interfaces: {} }).required.includes('files.example.test'))
  assert.deepEqual(wantedNames({ hostname: 'ada', bind: '::', interfaces: {} }).required, ['localhost', '127.0.0.1', '::1', 'ada'])
  assert.deepEqual(wantedNames({ hostname: 'ada', bind: '0.0.0.0', interfaces: {} }).required, ['localhost', '127.0.0.1', '::1', 'ada'])
})

test('a host name that cannot be a DNS name is left out', () => {
  assert.deepEqual(wantedNames({ hostname: 'my laptop', bind: undefined, interfaces: {} }).required, ['localhost', '127.0.0.1', '::1'])
})

test('names are compared in one spelling', () => {
  assert.equal(normalizeName('0:0:0:0:0:0:0:1'), '::1')
  assert.equal(normalizeName('[FD00:0:0:0:0:0:0:2]'), 'fd00::2')
  assert.equal(normalizeName('Example.TEST.'), 'example.test')
})

test('a certificate\'s names are read from its subjectAltName', async () => {
  const { cert } = await testCertificate({ names: ['localhost', 'ada', '127.0.0.1', '::1'] })
  const names = certificateNames(new X509Certificate(cert))
  assert.deepEqual(names, ['localhost', 'ada', '127.0.0.1', '::1'])
  assert.deepEqual(missingNames(names, ['localhost', '::1', '10.0.0.1']), ['10.0.0.1'])
})
