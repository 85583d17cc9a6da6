import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { createServer, get, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { NetworkInterfaceInfo } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { InputError } from '../../src/errors.ts'
import {
  createSelfSignedCertificate, loadLabCertificate, localCertificateSubjects, ownPageCertificate,
  type CertificateSubjects, type PageCertificate
} from '../../src/web/server/page-certificate.ts'
import { makeTempDir, type TempDir } from '../helpers/tmpdir.ts'

/**
 * The volunteer page's TLS certificate (HTTPS for WebGPU's secure context),
 * checked against independent readers: Node's X509Certificate, the openssl
 * command line and a real TLS handshake, never our own DER encoder.
 */

const NOW = new Date('2026-03-01T12:00:00Z')
const DAY_MS = 24 * 60 * 60 * 1000
const SUBJECTS: CertificateSubjects = {
  names: ['localhost', 'lab-pc-7.local'],
  addresses: ['127.0.0.1', '::1', '192.168.1.20', 'fd00::1234']
}
const OPENSSL = '/usr/bin/openssl'
const noOpenssl = existsSync(OPENSSL) ? false : `${OPENSSL} is not installed`

let made: PageCertificate
let x509: X509Certificate
let dir: TempDir
before(async () => {
  made = createSelfSignedCertificate(SUBJECTS, { now: NOW })
  x509 = new X509Certificate(made.cert)
  dir = await makeTempDir('mesh-page-cert-')
})
after(async () => { await dir.remove() })

describe('createSelfSignedCertificate, read by Node', () => {
  test('given the certificate, X509Certificate parses it and its own public key verifies its signature', () => {
    assert.equal(x509.verify(x509.publicKey), true)
    assert.equal(x509.issuer, x509.subject)
    assert.match(x509.subject, /CN=mesh volunteer page/)
    assert.match(x509.subject, /O=Constellation Mesh/)
    assert.equal(x509.checkPrivateKey(createPrivateKey(made.key)), true)
    assert.match(made.key, /^-----BEGIN PRIVATE KEY-----\n/)
    assert.equal(made.selfSigned, true)
  })

  test('given the subjects, each name and address matches and others do not', () => {
    for (const address of SUBJECTS.addresses) assert.equal(x509.checkIP(address), address, address)
    for (const name of SUBJECTS.names) assert.equal(x509.checkHost(name), name, name)
    assert.equal(x509.checkIP('10.9.9.9'), undefined)
    assert.equal(x509.checkIP('fd00::1235'), undefined)
    assert.equal(x509.checkHost('elsewhere.example'), undefined)
    assert.match(x509.subjectAltName!, /DNS:localhost, DNS:lab-pc-7\.local/)
    assert.match(x509.subjectAltName!, /IP Address:127\.0\.0\.1/)
    assert.match(x509.subjectAltName!, /IP Address:192\.168\.1\.20/)
    assert.deepEqual(made.names, SUBJECTS.names)
    assert.deepEqual(made.addresses, SUBJECTS.addresses)
  })

  test('given now, it is valid from an hour before to 365 days after, and notAfter says so', () => {
    assert.equal(new Date(x509.validFrom).getTime(), NOW.getTime() - 60 * 60 * 1000)
    assert.equal(new Date(x509.validTo).getTime(), NOW.getTime() + 365 * DAY_MS)
    assert.equal(made.notAfter.getTime(), NOW.getTime() + 365 * DAY_MS)
    const short = new X509Certificate(createSelfSignedCertificate(SUBJECTS, { now: NOW, validDays: 30 }).cert)
    assert.equal(new Date(short.validTo).getTime(), NOW.getTime() + 30 * DAY_MS)
  })

  test('given the extensions, it is no CA and its extended key usage is TLS server auth', () => {
    assert.equal(x509.ca, false)
    assert.ok(x509.keyUsage.includes('1.3.6.1.5.5.7.3.1'), String(x509.keyUsage))
  })

  test('given the fingerprint and SPKI hash, they are the SHA-256 of the DER and of the public key', () => {
    assert.equal(made.fingerprint, x509.fingerprint256)
    assert.match(made.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)
    const spki = x509.publicKey.export({ type: 'spki', format: 'der' })
    assert.equal(made.spkiHash, createHash('sha256').update(spki).digest('base64'))
  })

  test('given two certificates, their serials are 16 random bytes, positive and different', () => {
    const other = new X509Certificate(createSelfSignedCertificate(SUBJECTS, { now: NOW }).cert)
    for (const serial of [x509.serialNumber, other.serialNumber]) {
      assert.match(serial, /^[0-7][0-9A-F]{31}$/i)
    }
    assert.notEqual(x509.serialNumber, other.serialNumber)
  })

  test('given a validity past 2049, notAfter is a GeneralizedTime that Node reads as the right year', () => {
    const late = createSelfSignedCertificate(SUBJECTS, { now: new Date('2049-12-01T00:00:00Z'), validDays: 365 })
    const parsed = new X509Certificate(late.cert)
    assert.equal(new Date(parsed.validFrom).toISOString(), '2049-11-30T23:00:00.000Z')
    assert.equal(new Date(parsed.validTo).toISOString(), '2050-12-01T00:00:00.000Z')
  })

  test('given a bad name or address, it throws InputError', () => {
    assert.throws(() => createSelfSignedCertificate({ names: [], addresses: ['300.1.1.1'] }), InputError)
    assert.throws(() => createSelfSignedCertificate({ names: ['bad name'], addresses: [] }), InputError)
    assert.throws(() => createSelfSignedCertificate({ names: [], addresses: [] }), InputError)
  })
})

describe('createSelfSignedCertificate, read by openssl', () => {
  test('given `openssl x509 -text`, it shows CA:FALSE, server auth, digital signature and the IPs', { skip: noOpenssl }, () => {
    const text = execFileSync(OPENSSL, ['x509', '-noout', '-text'], { input: made.cert, encoding: 'utf8' })
    assert.match(text, /Version: 3/)
    assert.match(text, /Signature Algorithm: ecdsa-with-SHA256/)
    assert.match(text, /Basic Constraints: critical\s+CA:FALSE/)
    assert.match(text, /Key Usage: critical\s+Digital Signature\n/)
    assert.match(text, /TLS Web Server Authentication/)
    assert.match(text, /DNS:localhost, DNS:lab-pc-7\.local, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1, IP Address:192\.168\.1\.20, IP Address:FD00:0:0:0:0:0:0:1234/)
    // Subject Key Identifier, RFC 5280 method 1: SHA-1 of the public key's bits (the tail of openssl's own SPKI DER).
    const spki = execFileSync(OPENSSL, ['pkey', '-pubin', '-outform', 'der'], {
      input: execFileSync(OPENSSL, ['x509', '-pubkey', '-noout'], { input: made.cert })
    })
    const expected = createHash('sha1').update(spki.subarray(spki.length - 65)).digest('hex').toUpperCase().match(/../g)!.join(':')
    assert.match(text, new RegExp(`Subject Key Identifier: \\s+${expected}`))
  })

  test('given openssl\'s SPKI pipeline, its base64 SHA-256 equals spkiHash', { skip: noOpenssl }, () => {
    const hash = execFileSync('sh', ['-c',
      `${OPENSSL} x509 -pubkey -noout | ${OPENSSL} pkey -pubin -outform der | ${OPENSSL} dgst -sha256 -binary | base64`
    ], { input: made.cert, encoding: 'utf8' })
    assert.equal(hash.trim(), made.spkiHash)
  })
})

describe('createSelfSignedCertificate in a TLS handshake', () => {
  // Made for the real clock: the TLS client checks validity against it.
  let handshakeCert: string
  let server: Server
  let port: number
  before(async () => {
    const current = createSelfSignedCertificate(SUBJECTS)
    server = createServer({ cert: current.cert, key: current.key }, (_request, response) => { response.end('ok') })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
    handshakeCert = current.cert
  })
  after(async () => { await new Promise(resolve => server.close(resolve)) })

  function fetchText (options: { ca?: string }): Promise<string> {
    return new Promise((resolve, reject) => {
      const request = get({ host: '127.0.0.1', port, path: '/', agent: false, ...options }, response => {
        let body = ''
        response.setEncoding('utf8')
        response.on('data', chunk => { body += chunk })
        response.on('end', () => { resolve(body) })
      })
      request.on('error', reject)
    })
  }

  test('given the certificate as ca, a client dialing 127.0.0.1 (no SNI) validates it by its IP entry', async () => {
    assert.equal(await fetchText({ ca: handshakeCert }), 'ok')
  })

  test('given no ca, the client refuses it as self-signed', async () => {
    await assert.rejects(fetchText({}), (error: NodeJS.ErrnoException) => {
      assert.equal(error.code, 'DEPTH_ZERO_SELF_SIGNED_CERT')
      return true
    })
  })

  test('given a certificate that does not name 127.0.0.1, the client refuses it though it trusts it', async () => {
    const elsewhere = createSelfSignedCertificate({ names: ['elsewhere.example'], addresses: ['10.9.9.9'] })
    const other = createServer({ cert: elsewhere.cert, key: elsewhere.key }, (_request, response) => { response.end('ok') })
    await new Promise<void>(resolve => other.listen(0, '127.0.0.1', resolve))
    try {
      const otherPort = (other.address() as AddressInfo).port
      await assert.rejects(new Promise((resolve, reject) => {
        get({ host: '127.0.0.1', port: otherPort, agent: false, ca: elsewhere.cert }, resolve).on('error', reject)
      }), (error: NodeJS.ErrnoException) => {
        assert.equal(error.code, 'ERR_TLS_CERT_ALTNAME_INVALID')
        return true
      })
    } finally {
      await new Promise(resolve => other.close(resolve))
    }
  })
})

describe('ownPageCertificate', () => {
  test('given a second call, it returns the kept certificate; key.pem is 0600 and the directory 0700', async () => {
    const dataDir = join(dir.path, 'kept')
    const first = await ownPageCertificate(dataDir, SUBJECTS, { now: NOW })
    const second = await ownPageCertificate(dataDir, SUBJECTS, { now: new Date(NOW.getTime() + DAY_MS) })
    assert.equal(second.fingerprint, first.fingerprint)
    assert.equal(second.spkiHash, first.spkiHash)
    assert.equal(second.notAfter.getTime(), first.notAfter.getTime())
    assert.deepEqual(second.names, SUBJECTS.names)
    assert.deepEqual(second.addresses, SUBJECTS.addresses)
    assert.equal(second.selfSigned, true)
    if (process.platform !== 'win32') {
      assert.equal((await stat(join(dataDir, 'web-tls', 'key.pem'))).mode & 0o777, 0o600)
      assert.equal((await stat(join(dataDir, 'web-tls'))).mode & 0o777, 0o700)
    }
    assert.equal(new X509Certificate(await readFile(join(dataDir, 'web-tls', 'cert.pem'))).fingerprint256, first.fingerprint)
  })

  test('given fewer than 30 days left, it makes a new one; with more, it keeps it', async () => {
    const dataDir = join(dir.path, 'renew')
    const first = await ownPageCertificate(dataDir, SUBJECTS, { now: NOW })
    const at300 = await ownPageCertificate(dataDir, SUBJECTS, { now: new Date(NOW.getTime() + 300 * DAY_MS) })
    assert.equal(at300.fingerprint, first.fingerprint)
    const at340 = await ownPageCertificate(dataDir, SUBJECTS, { now: new Date(NOW.getTime() + 340 * DAY_MS) })
    assert.notEqual(at340.fingerprint, first.fingerprint)
    assert.equal(at340.notAfter.getTime(), NOW.getTime() + 705 * DAY_MS)
  })

  test('given a new address among the subjects, it makes a new one naming it', async () => {
    const dataDir = join(dir.path, 'moved')
    const first = await ownPageCertificate(dataDir, SUBJECTS, { now: NOW })
    const moved = await ownPageCertificate(dataDir, { ...SUBJECTS, addresses: [...SUBJECTS.addresses, '10.0.0.7'] }, { now: NOW })
    assert.notEqual(moved.fingerprint, first.fingerprint)
    assert.equal(new X509Certificate(moved.cert).checkIP('10.0.0.7'), '10.0.0.7')
    // Fewer subjects than it names: still good.
    const fewer = await ownPageCertificate(dataDir, { names: ['localhost'], addresses: ['127.0.0.1'] }, { now: NOW })
    assert.equal(fewer.fingerprint, moved.fingerprint)
  })

  test('given a corrupt cert.pem, it replaces the pair rather than failing', async () => {
    const dataDir = join(dir.path, 'corrupt')
    const first = await ownPageCertificate(dataDir, SUBJECTS, { now: NOW })
    await writeFile(join(dataDir, 'web-tls', 'cert.pem'), '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n')
    const fresh = await ownPageCertificate(dataDir, SUBJECTS, { now: NOW })
    assert.notEqual(fresh.fingerprint, first.fingerprint)
    const kept = new X509Certificate(await readFile(join(dataDir, 'web-tls', 'cert.pem')))
    assert.equal(kept.checkPrivateKey(createPrivateKey(await readFile(join(dataDir, 'web-tls', 'key.pem')))), true)
  })
})

describe('loadLabCertificate', () => {
  async function writePair (name: string, cert: string, key: string): Promise<{ certFile: string, keyFile: string }> {
    const certFile = join(dir.path, `${name}.crt`)
    const keyFile = join(dir.path, `${name}.key`)
    await writeFile(certFile, cert)
    await writeFile(keyFile, key)
    return { certFile, keyFile }
  }

  async function assertInputError (promise: Promise<unknown>, file: string, pattern: RegExp): Promise<void> {
    await assert.rejects(promise, (error: Error) => {
      assert.ok(error instanceof InputError, `${error.name}: ${error.message}`)
      assert.doesNotMatch(error.message, /\n/)
      assert.ok(error.message.includes(file), error.message)
      assert.match(error.message, pattern)
      return true
    })
  }

  test('given a pair made by createSelfSignedCertificate, it loads it as not self-made', async () => {
    const { certFile, keyFile } = await writePair('good', made.cert, made.key)
    const lab = await loadLabCertificate(certFile, keyFile, { now: NOW })
    assert.equal(lab.fingerprint, made.fingerprint)
    assert.equal(lab.spkiHash, made.spkiHash)
    assert.equal(lab.selfSigned, false)
    assert.equal(lab.notAfter.getTime(), made.notAfter.getTime())
    assert.deepEqual(lab.names, SUBJECTS.names)
    assert.deepEqual(lab.addresses, SUBJECTS.addresses)
    assert.equal(new X509Certificate(lab.cert).checkPrivateKey(createPrivateKey(lab.key)), true)
  })

  test('given a chain, the first certificate is the leaf and cert keeps them all', async () => {
    const intermediate = createSelfSignedCertificate({ names: ['ca.example'], addresses: [] }, { now: NOW })
    const { certFile, keyFile } = await writePair('chain', `subject=leaf\n${made.cert}${intermediate.cert}`, made.key)
    const lab = await loadLabCertificate(certFile, keyFile, { now: NOW })
    assert.equal(lab.fingerprint, made.fingerprint)
    assert.equal(lab.cert.match(/-----BEGIN CERTIFICATE-----/g)?.length, 2)
    assert.ok(lab.cert.includes(intermediate.cert.trim()))
  })

  test('given a key of another certificate, it throws InputError naming the key file', async () => {
    const other = createSelfSignedCertificate(SUBJECTS, { now: NOW })
    const { certFile, keyFile } = await writePair('mismatch', made.cert, other.key)
    await assertInputError(loadLabCertificate(certFile, keyFile, { now: NOW }), keyFile, /does not belong/)
  })

  test('given now past notAfter or before notBefore, it throws InputError naming the certificate file', async () => {
    const { certFile, keyFile } = await writePair('dated', made.cert, made.key)
    await assertInputError(loadLabCertificate(certFile, keyFile, { now: new Date(made.notAfter.getTime() + DAY_MS) }), certFile, /expired/)
    await assertInputError(loadLabCertificate(certFile, keyFile, { now: new Date(NOW.getTime() - DAY_MS) }), certFile, /not valid before/)
  })

  test('given a file that does not exist, it throws InputError naming it', async () => {
    const { certFile, keyFile } = await writePair('missing', made.cert, made.key)
    const absent = join(dir.path, 'absent.pem')
    await assertInputError(loadLabCertificate(absent, keyFile, { now: NOW }), absent, /cannot be read \(ENOENT\)/)
    await assertInputError(loadLabCertificate(certFile, absent, { now: NOW }), absent, /cannot be read \(ENOENT\)/)
  })

  test('given garbage in the certificate or key file, it throws InputError naming the file', async () => {
    const garbage = await writePair('garbage', 'this is not a certificate\n', 'nor a key\n')
    await assertInputError(loadLabCertificate(garbage.certFile, garbage.keyFile, { now: NOW }), garbage.certFile, /no PEM certificate/)
    const broken = await writePair('broken', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', 'nor a key\n')
    await assertInputError(loadLabCertificate(broken.certFile, broken.keyFile, { now: NOW }), broken.certFile, /cannot be parsed/)
    const noKey = await writePair('nokey', made.cert, made.cert)
    await assertInputError(loadLabCertificate(noKey.certFile, noKey.keyFile, { now: NOW }), noKey.keyFile, /no usable private key/)
  })
})

describe('localCertificateSubjects', () => {
  // As networkInterfaces() reported it on a laptop with Wi-Fi and a VPN.
  const recorded: NodeJS.Dict<NetworkInterfaceInfo[]> = {
    lo: [
      { address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' },
      { address: '::1', netmask: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', family: 'IPv6', mac: '00:00:00:00:00:00', internal: true, cidr: '::1/128', scopeid: 0 }
    ],
    wlp2s0: [
      { address: '192.168.1.20', netmask: '255.255.255.0', family: 'IPv4', mac: '3c:58:c2:11:22:33', internal: false, cidr: '192.168.1.20/24' },
      { address: '2001:db8:1:2:3e58:c2ff:fe11:2233', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '3c:58:c2:11:22:33', internal: false, cidr: '2001:db8:1:2:3e58:c2ff:fe11:2233/64', scopeid: 0 },
      { address: 'fe80::3e58:c2ff:fe11:2233', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '3c:58:c2:11:22:33', internal: false, cidr: 'fe80::3e58:c2ff:fe11:2233/64', scopeid: 3 }
    ],
    tun0: [
      { address: '10.8.0.5', netmask: '255.255.255.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: false, cidr: '10.8.0.5/24' },
      { address: '192.168.1.20', netmask: '255.255.255.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: false, cidr: '192.168.1.20/24' }
    ]
  }

  test('given recorded interfaces, it names the host, host.local, localhost and every routable address once', () => {
    const subjects = localCertificateSubjects(recorded, 'Lab-PC-7')
    assert.deepEqual(new Set(subjects.names), new Set(['lab-pc-7', 'lab-pc-7.local', 'localhost']))
    assert.deepEqual(new Set(subjects.addresses), new Set(['127.0.0.1', '::1', '192.168.1.20', '2001:db8:1:2:3e58:c2ff:fe11:2233', '10.8.0.5']))
    assert.ok(!subjects.addresses.some(address => address.startsWith('fe80')))
    assert.equal(new Set(subjects.names).size, subjects.names.length)
    assert.equal(new Set(subjects.addresses).size, subjects.addresses.length)
  })

  test('given no interfaces, it still names localhost, 127.0.0.1 and ::1; a host already ending in .local is not doubled', () => {
    const subjects = localCertificateSubjects({}, 'mac-mini.local')
    assert.deepEqual(subjects.names, ['mac-mini.local', 'localhost'])
    assert.deepEqual(subjects.addresses, ['127.0.0.1', '::1'])
  })

  test('given the subjects of this machine, a certificate for them is made and names them all', () => {
    const subjects = localCertificateSubjects()
    const certificate = new X509Certificate(createSelfSignedCertificate(subjects).cert)
    for (const address of subjects.addresses) assert.equal(certificate.checkIP(address), address)
  })
})
