import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto'
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { isIPv4, isIPv6 } from 'node:net'
import { hostname, networkInterfaces, type NetworkInterfaceInfo } from 'node:os'
import { join } from 'node:path'
import { domainToASCII } from 'node:url'
import { InputError } from '../../errors.ts'
import {
  bitString, boolean, certificateTime, explicitTag, implicitPrimitiveTag, octetString, oid,
  sequence, set, smallInteger, unsignedInteger, utf8String
} from './der.ts'

/**
 * The TLS certificate of the volunteer page. WebGPU needs a secure context,
 * so a browser on another machine must load the page over HTTPS: either with
 * a certificate this peer makes and keeps (the user accepts it once) or with
 * one the lab provides (`--web-cert`, `--web-key`).
 */
export interface PageCertificate {
  /** PEM "CERTIFICATE" (a lab's may be a chain, leaf first) */
  readonly cert: string
  /** PEM private key (PKCS#8) */
  readonly key: string
  /** SHA-256 of the certificate's DER as browsers show it: upper-case hex pairs joined by ':' */
  readonly fingerprint: string
  /** base64 SHA-256 of the DER SubjectPublicKeyInfo: what Chrome's --ignore-certificate-errors-spki-list takes */
  readonly spkiHash: string
  /** true for the one this peer made */
  readonly selfSigned: boolean
  readonly notAfter: Date
  /** the DNS names and IP addresses the certificate names (subjectAltName) */
  readonly names: string[]
  readonly addresses: string[]
}

export interface CertificateSubjects { readonly names: string[], readonly addresses: string[] }

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1'
} as const

const DAY_MS = 24 * 60 * 60 * 1000
const HOUR_MS = 60 * 60 * 1000
/** A kept certificate is replaced this long before it expires, so a running peer never serves an expired one. */
const RENEW_BEFORE_MS = 30 * DAY_MS
const TLS_DIR = 'web-tls'

/** This machine's names and addresses a browser may type: hostname(), `${hostname()}.local` (mDNS), 'localhost', every interface's IPv4 and IPv6 address (no IPv6 link-local fe80::), 127.0.0.1 and ::1; deduplicated. */
export function localCertificateSubjects (
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
  host: string = hostname()
): CertificateSubjects {
  const names = new Map<string, string>()
  const addName = (name: string): void => {
    // DNS names are compared case-insensitively and must be ASCII (punycode) in a certificate.
    const ascii = domainToASCII(name.trim().toLowerCase())
    if (ascii !== '' && !names.has(ascii)) names.set(ascii, ascii)
  }
  if (host.trim() !== '') {
    addName(host)
    // macOS may already report "name.local"; do not make "name.local.local".
    if (!/\.local\.?$/i.test(host.trim())) addName(`${host.trim()}.local`)
  }
  addName('localhost')

  const addresses = new Map<string, string>()
  const addAddress = (address: string): void => {
    if (!isIPv4(address) && !isIPv6(address)) return
    const bytes = ipAddressBytes(address)
    // Link-local (fe80::/10) needs a zone id a URL cannot carry well, and differs per interface.
    if (bytes.length === 16 && bytes[0] === 0xfe && (bytes[1]! & 0xc0) === 0x80) return
    const canonical = formatIpAddress(bytes)
    if (!addresses.has(canonical)) addresses.set(canonical, canonical)
  }
  for (const infos of Object.values(interfaces)) {
    for (const info of infos ?? []) addAddress(info.address)
  }
  addAddress('127.0.0.1')
  addAddress('::1')
  return { names: [...names.values()], addresses: [...addresses.values()] }
}

/** A fresh self-signed certificate: X.509 v3, random 16-byte positive serial, subject = issuer = CN "mesh volunteer page" (O "Constellation Mesh"), validity from now-1h to now+validDays (default 365; macOS refuses server certificates valid over 825 days), extensions: subjectAltName (dNSName + iPAddress entries, IPv4 4 bytes, IPv6 16 bytes), basicConstraints CA:FALSE (critical), keyUsage digitalSignature (critical), extKeyUsage serverAuth, subjectKeyIdentifier. */
export function createSelfSignedCertificate (subjects: CertificateSubjects, options: { now?: Date, validDays?: number } = {}): PageCertificate {
  const now = options.now ?? new Date()
  const validDays = options.validDays ?? 365
  if (!(validDays > 0)) throw new InputError(`certificate validity must be a positive number of days, not ${validDays}`)
  const names = subjects.names.map(name => {
    const ascii = domainToASCII(name.toLowerCase())
    if (ascii === '') throw new InputError(`not a DNS name for the page certificate: ${JSON.stringify(name)}`)
    return ascii
  })
  const addressBytes = subjects.addresses.map(address => {
    if (!isIPv4(address) && !isIPv6(address)) throw new InputError(`not an IP address for the page certificate: ${JSON.stringify(address)}`)
    return ipAddressBytes(address)
  })
  if (names.length + addressBytes.length === 0) throw new InputError('the page certificate needs at least one name or address')

  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const spki = publicKey.export({ type: 'spki', format: 'der' })
  const serial = randomBytes(16)
  // Top bit clear: positive. Second bit set: exactly 16 bytes, never shortened by leading zeros.
  serial[0] = (serial[0]! & 0x7f) | 0x40
  const notBefore = wholeSeconds(new Date(now.getTime() - HOUR_MS))
  const notAfter = wholeSeconds(new Date(now.getTime() + validDays * DAY_MS))
  const name = sequence(
    set(sequence(oid(OID.organization), utf8String('Constellation Mesh'))),
    set(sequence(oid(OID.commonName), utf8String('mesh volunteer page')))
  )
  const signatureAlgorithm = sequence(oid(OID.ecdsaWithSha256))

  const subjectAltName = sequence(
    ...names.map(dnsName => implicitPrimitiveTag(2, Buffer.from(dnsName, 'ascii'))),
    ...addressBytes.map(bytes => implicitPrimitiveTag(7, bytes))
  )
  const extensions = sequence(
    extension(OID.subjectAltName, false, subjectAltName),
    // An empty SEQUENCE: cA defaults to FALSE, and DER leaves defaults out.
    extension(OID.basicConstraints, true, sequence()),
    // digitalSignature is bit 0, the top bit of the first byte; the other 7 bits are unused.
    extension(OID.keyUsage, true, bitString(Buffer.from([0x80]), 7)),
    extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth))),
    extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(publicKey)))
  )
  const tbs = sequence(
    explicitTag(0, smallInteger(2)), // v3
    unsignedInteger(serial),
    signatureAlgorithm,
    name,
    sequence(certificateTime(notBefore), certificateTime(notAfter)),
    name,
    spki,
    explicitTag(3, extensions)
  )
  const signature = sign('sha256', tbs, { key: privateKey, dsaEncoding: 'der' })
  const der = sequence(tbs, signatureAlgorithm, bitString(signature))

  return {
    cert: pem('CERTIFICATE', der),
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    fingerprint: fingerprintOf(der),
    spkiHash: createHash('sha256').update(spki).digest('base64'),
    selfSigned: true,
    notAfter,
    names,
    addresses: addressBytes.map(formatIpAddress)
  }
}

/** The peer's own certificate kept in `<dataDir>/web-tls/` (cert.pem, key.pem with mode 0600, directory 0700): reused while it is valid for 30 more days and names every subject given; otherwise a new one is made and saved (so a browser's accepted exception survives restarts). */
export async function ownPageCertificate (dataDir: string, subjects: CertificateSubjects = localCertificateSubjects(), options: { now?: Date } = {}): Promise<PageCertificate> {
  const now = options.now ?? new Date()
  const dir = join(dataDir, TLS_DIR)
  const certFile = join(dir, 'cert.pem')
  const keyFile = join(dir, 'key.pem')
  await mkdir(dir, { recursive: true, mode: 0o700 })
  // mkdir's mode applies only when it creates the directory.
  await chmod(dir, 0o700)

  const kept = await readKeptCertificate(certFile, keyFile)
  if (kept !== undefined && stillServes(kept, subjects, now)) return kept

  const fresh = createSelfSignedCertificate(subjects, { now })
  // Written aside and renamed, so a crash leaves no half file; a key and a
  // certificate from different runs fail checkPrivateKey next time and are replaced.
  await writeFile(`${keyFile}.new`, fresh.key, { mode: 0o600 })
  await chmod(`${keyFile}.new`, 0o600)
  await rename(`${keyFile}.new`, keyFile)
  await writeFile(`${certFile}.new`, fresh.cert, { mode: 0o644 })
  await rename(`${certFile}.new`, certFile)
  return fresh
}

/** A certificate the lab provides (PEM files). Throws InputError (one line, naming the file and the problem) when: a file cannot be read; the cert file holds no PEM certificate; the key file holds no private key; the key does not belong to the certificate (X509Certificate.checkPrivateKey); the certificate is expired or not yet valid. A chain (several certificates) in the cert file is allowed: the first is the leaf; keep the whole PEM text in `cert` so the server sends the chain. names/addresses come from its subjectAltName. */
export async function loadLabCertificate (certFile: string, keyFile: string, options: { now?: Date } = {}): Promise<PageCertificate> {
  const now = options.now ?? new Date()
  const certText = await readInput(certFile, 'certificate')
  const keyText = await readInput(keyFile, 'key')

  const blocks = certText.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []
  if (blocks.length === 0) throw new InputError(`certificate file ${certFile}: holds no PEM certificate (-----BEGIN CERTIFICATE-----)`)
  const chain = blocks.map((block, index) => {
    try {
      return new X509Certificate(block)
    } catch (error) {
      throw new InputError(`certificate file ${certFile}: certificate ${index + 1} cannot be parsed: ${oneLine(error)}`)
    }
  })
  const leaf = chain[0]!

  let key: KeyObject
  try {
    key = createPrivateKey(keyText)
  } catch (error) {
    throw new InputError(`key file ${keyFile}: holds no usable private key: ${oneLine(error)}`)
  }
  if (!leaf.checkPrivateKey(key)) throw new InputError(`key file ${keyFile}: the key does not belong to the certificate in ${certFile}`)

  const validFrom = parseCertificateDate(leaf.validFrom)
  const validTo = parseCertificateDate(leaf.validTo)
  if (now.getTime() < validFrom.getTime()) throw new InputError(`certificate file ${certFile}: not valid before ${validFrom.toISOString()}`)
  if (now.getTime() > validTo.getTime()) throw new InputError(`certificate file ${certFile}: expired on ${validTo.toISOString()}`)

  const { names, addresses } = subjectAltNames(leaf)
  return {
    // The blocks only, leaf first: the server sends the whole chain, and no stray text of the file.
    cert: blocks.join('\n') + '\n',
    key: key.export({ type: 'pkcs8', format: 'pem' }) as string,
    fingerprint: leaf.fingerprint256,
    spkiHash: spkiHashOf(leaf),
    selfSigned: false,
    notAfter: validTo,
    names,
    addresses
  }
}

/** The kept pair, or undefined where it is missing, unreadable or does not match. */
async function readKeptCertificate (certFile: string, keyFile: string): Promise<PageCertificate | undefined> {
  try {
    const [certText, keyText] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')])
    const certificate = new X509Certificate(certText)
    const key = createPrivateKey(keyText)
    if (!certificate.checkPrivateKey(key)) return undefined
    const { names, addresses } = subjectAltNames(certificate)
    return {
      cert: certText,
      key: keyText,
      fingerprint: certificate.fingerprint256,
      spkiHash: spkiHashOf(certificate),
      selfSigned: true,
      notAfter: parseCertificateDate(certificate.validTo),
      names,
      addresses
    }
  } catch {
    return undefined
  }
}

function stillServes (kept: PageCertificate, subjects: CertificateSubjects, now: Date): boolean {
  if (kept.notAfter.getTime() - now.getTime() < RENEW_BEFORE_MS) return false
  const certificate = new X509Certificate(kept.cert)
  if (parseCertificateDate(certificate.validFrom).getTime() > now.getTime()) return false
  const names = new Set(kept.names)
  const addresses = new Set(kept.addresses)
  return subjects.names.every(name => names.has(domainToASCII(name.toLowerCase()))) &&
    subjects.addresses.every(address => (isIPv4(address) || isIPv6(address)) && addresses.has(formatIpAddress(ipAddressBytes(address))))
}

function extension (id: string, critical: boolean, value: Buffer): Buffer {
  // critical defaults to FALSE, and DER leaves defaults out.
  return critical ? sequence(oid(id), boolean(true), octetString(value)) : sequence(oid(id), octetString(value))
}

/** RFC 5280 section 4.2.1.2, method 1: SHA-1 of the public key's bits (the EC point). */
function keyIdentifier (publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' })
  const point = Buffer.concat([Buffer.from([0x04]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')])
  return createHash('sha1').update(point).digest()
}

function spkiHashOf (certificate: X509Certificate): string {
  return createHash('sha256').update(certificate.publicKey.export({ type: 'spki', format: 'der' })).digest('base64')
}

function fingerprintOf (der: Buffer): string {
  return createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':')
}

function pem (label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g)!
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`
}

function wholeSeconds (date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000)
}

/** The names and addresses of subjectAltName as Node prints it: "DNS:a, IP Address:1.2.3.4", values with odd characters JSON-quoted. */
function subjectAltNames (certificate: X509Certificate): CertificateSubjects {
  const names: string[] = []
  const addresses: string[] = []
  const entries = (certificate.subjectAltName ?? '').match(/(?:[^,"]|"(?:[^"\\]|\\.)*")+/g) ?? []
  for (const entry of entries) {
    const match = /^\s*([^:]+):(.*)$/.exec(entry)
    if (match === null) continue
    const value = match[2]!.startsWith('"') ? JSON.parse(match[2]!) as string : match[2]!
    if (match[1] === 'DNS') names.push(value.toLowerCase())
    else if (match[1] === 'IP Address' && (isIPv4(value) || isIPv6(value))) addresses.push(formatIpAddress(ipAddressBytes(value)))
  }
  return { names, addresses }
}

/** The dates X509Certificate prints ("Mar  1 12:00:00 2026 GMT"), read without leaning on Date's lenient parser. */
function parseCertificateDate (text: string): Date {
  const match = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4}) GMT$/.exec(text.trim())
  const month = match === null ? -1 : 'JanFebMarAprMayJunJulAugSepOctNovDec'.indexOf(match[1]!) / 3
  if (match === null || !Number.isInteger(month) || month < 0) throw new InputError(`unreadable certificate date: ${text}`)
  return new Date(Date.UTC(Number(match[6]), month, Number(match[2]), Number(match[3]), Number(match[4]), Number(match[5])))
}

/** An IPv4 address as its 4 bytes, an IPv6 one as its 16 (the iPAddress form of subjectAltName). The caller checks isIPv4/isIPv6. */
function ipAddressBytes (address: string): Buffer {
  if (isIPv4(address)) return Buffer.from(address.split('.').map(Number))
  let text = address.replace(/%.*$/, '')
  // A trailing dotted IPv4 part (::ffff:1.2.3.4) is two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (dotted !== null) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number]
    text = text.slice(0, dotted.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head, tail] = text.includes('::') ? text.split('::') as [string, string] : [text, undefined]
  const groupsOf = (part: string): number[] => part === '' ? [] : part.split(':').map(group => parseInt(group, 16))
  const headGroups = groupsOf(head)
  const tailGroups = tail === undefined ? [] : groupsOf(tail)
  const groups = [...headGroups, ...new Array<number>(8 - headGroups.length - tailGroups.length).fill(0), ...tailGroups]
  const bytes = Buffer.alloc(16)
  groups.forEach((group, index) => bytes.writeUInt16BE(group, index * 2))
  return bytes
}

/** Dotted IPv4, or IPv6 as RFC 5952 writes it (lower case, the longest run of two or more zero groups as "::"). */
function formatIpAddress (bytes: Uint8Array): string {
  if (bytes.length === 4) return [...bytes].join('.')
  const groups = Array.from({ length: 8 }, (_, index) => (bytes[index * 2]! << 8) | bytes[index * 2 + 1]!)
  let bestStart = -1
  let bestLength = 1
  for (let start = 0; start < 8; start++) {
    let length = 0
    while (start + length < 8 && groups[start + length] === 0) length++
    if (length > bestLength) { bestStart = start; bestLength = length }
  }
  const hex = groups.map(group => group.toString(16))
  if (bestStart < 0) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`
}

async function readInput (file: string, what: 'certificate' | 'key'): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new InputError(`${what} file ${file}: cannot be read (${code ?? oneLine(error)})`)
  }
}

function oneLine (error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim()
}
