import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Subscription keys at rest: sealed with AES-256-GCM under `KEY_ENCRYPTION_KEY`
 * (32 bytes, base64), each bound to its subscription and slot so a sealed key
 * cannot be moved to another record. In memory keys are looked up by a keyed hash
 * (HMAC-SHA256 under a subkey), never by the key itself. Rows also carry those
 * lookup digests, bound with the sealed keys to their subscription and slots by
 * a tag under a third subkey, so that loading a catalog needs one HMAC per
 * subscription instead of opening and hashing every key.
 */
export interface KeyProtector {
  /** `enc1.<iv>.<ciphertext+tag>` (base64url parts). */
  seal(key: string, context: string): string;
  /** The key; throws when the value was not sealed under this protector's key and context. */
  open(sealed: string, context: string): string;
  /**
   * The lookup digest of a key: 128 bits of HMAC-SHA256 as a 16-character
   * one-byte (latin1) string, the smallest string V8 can hold them in (rows
   * store it in base64url: `digestToText`).
   */
  readonly digest: (key: string) => string;
  /** A tag (128 bits of HMAC-SHA256 under its own subkey, base64url) that authenticates `text`. */
  tag(text: string): string;
}

const PREFIX = 'enc1.';
const IV_BYTES = 12;
const IV_TEXT_LENGTH = 16;
const TAG_BYTES = 16;
/**
 * Digests and tags keep 128 of HMAC-SHA256's 256 bits: ample for a lookup key
 * and for authentication, and half the memory, which matters with 200,000 keys
 * in memory.
 */
const MAC_BYTES = 16;
const DIGEST_TEXT_LENGTH = 22;
const DIGEST_TEXT = /^[A-Za-z0-9_-]{21}[AQgw]$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** A digest (from `digest`) as text for storage: base64url. */
export function digestToText(digest: string): string {
  return Buffer.from(digest, 'latin1').toString('base64url');
}

/** Whether `text` has the form `digestToText` gives: 16 bytes in base64url, 22 characters. */
export function isDigestText(text: string): boolean {
  return text.length === DIGEST_TEXT_LENGTH && DIGEST_TEXT.test(text);
}

/**
 * Constant-time string equality without allocating: every code unit is compared,
 * differences are OR-ed together, and nothing branches on their values. Keys come
 * from HTTP header values and decoded query strings, so they hold no lone surrogates
 * and code-unit equality is the same as UTF-8 byte equality.
 */
export function safeEqual(a: string, b: string): boolean {
  // Different lengths: compare `a` against itself to spend the same time, then fail.
  const other = a.length === b.length ? b : a;
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ other.charCodeAt(i);
  return diff === 0;
}

export class KeyDecryptionError extends Error {
  constructor() {
    super('a subscription key could not be decrypted: KEY_ENCRYPTION_KEY differs from the one it was written with');
    this.name = 'KeyDecryptionError';
  }
}

export class KeyLookupError extends Error {
  constructor() {
    super("a subscription's key lookup digests could not be verified: KEY_ENCRYPTION_KEY differs from the one they were written with, or the row was altered");
    this.name = 'KeyLookupError';
  }
}

export function isSealed(value: string): boolean {
  return value.startsWith(PREFIX);
}

/**
 * Where the bytes of a sealed value (`enc1.<iv>.<ciphertext+tag>`) are, as
 * base64url text: the IV's (16 characters, 12 bytes) and the rest's; undefined
 * when `sealed` does not have that form. For holding sealed keys as bytes.
 */
export function sealedParts(sealed: string): { iv: string; data: string } | undefined {
  const dot = PREFIX.length + IV_TEXT_LENGTH;
  if (!isSealed(sealed) || sealed.charCodeAt(dot) !== 0x2e) return undefined;
  const iv = sealed.slice(PREFIX.length, dot);
  const data = sealed.slice(dot + 1);
  // Only base64url characters: each decodes to exactly the bytes its length says.
  return BASE64URL.test(iv) && BASE64URL.test(data) && data.length % 4 !== 1 ? { iv, data } : undefined;
}

/** The sealed value (`enc1.<iv>.<ciphertext+tag>`) of the bytes of one: IV (12 bytes), then the rest. */
export function sealedText(bytes: Buffer, start: number, end: number): string {
  return `${PREFIX}${bytes.toString('base64url', start, start + IV_BYTES)}.${bytes.toString('base64url', start + IV_BYTES, end)}`;
}

/** A 32-byte subkey of `KEY_ENCRYPTION_KEY` for one use, named by `info` (HKDF-SHA256): one use per key. */
export function subkey(encryptionKey: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), info, 32));
}

/**
 * AES-256-GCM under `key`, with `aad` bound in: `<prefix><iv>.<ciphertext+tag>`
 * (base64url parts, a fresh 12-byte IV each time).
 */
export function sealBytes(key: Buffer, prefix: string, plain: Buffer, aad?: Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  if (aad) cipher.setAAD(aad);
  const sealed = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return `${prefix}${iv.toString('base64url')}.${sealed.toString('base64url')}`;
}

/** The bytes `sealBytes` sealed; undefined when `sealed` was not sealed so under this key, prefix and `aad`. */
export function openBytes(key: Buffer, prefix: string, sealed: string, aad?: Buffer): Buffer | undefined {
  if (!sealed.startsWith(prefix)) return undefined;
  const [ivText, dataText, extra] = sealed.slice(prefix.length).split('.');
  if (!ivText || !dataText || extra !== undefined) return undefined;
  const iv = Buffer.from(ivText, 'base64url');
  const data = Buffer.from(dataText, 'base64url');
  if (iv.length !== IV_BYTES || data.length <= TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    if (aad) decipher.setAAD(aad);
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    return Buffer.concat([decipher.update(data.subarray(0, data.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
}

/**
 * An app setting that is a Key Vault reference holds the reference text itself until
 * the platform resolves it (e.g. while the app identity's role on the vault
 * propagates); that text must never be used as a key.
 */
export function isUnresolvedReference(value: string | undefined): boolean {
  return value !== undefined && /^\s*@Microsoft\.KeyVault\(/i.test(value);
}

export function unresolvedReferenceMessage(setting: string): string {
  return `${setting} is a Key Vault reference that is not resolved yet (the app's identity cannot read the secret yet)`;
}

/** Parses a base64 32-byte key; the message names the setting, never the value. */
export function parseEncryptionKey(text: string | undefined, setting = 'KEY_ENCRYPTION_KEY'): Buffer {
  if (isUnresolvedReference(text)) throw new Error(unresolvedReferenceMessage(setting));
  if (!text) throw new Error(`${setting} is not set: it must be 32 random bytes in base64 (e.g. node -e "console.log(require('crypto').randomBytes(32).toString('base64'))")`);
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32 || key.toString('base64') !== text.replace(/\s+/g, '')) {
    throw new Error(`${setting} must be exactly 32 bytes in base64 (44 characters)`);
  }
  return key;
}

export function createKeyProtector(encryptionKey: Buffer): KeyProtector {
  // Separate subkeys for sealing and hashing: one use per key.
  const sealKey = subkey(encryptionKey, 'apim-lab subscription key sealing');
  // KeyObjects: each HMAC reuses the imported key instead of copying the bytes in again.
  const lookupKey = createSecretKey(subkey(encryptionKey, 'apim-lab subscription key lookup'));
  const tagKey = createSecretKey(subkey(encryptionKey, 'apim-lab subscription key lookup binding'));
  return {
    seal(key, context) {
      return sealBytes(sealKey, PREFIX, Buffer.from(key, 'utf8'), Buffer.from(context, 'utf8'));
    },
    open(sealed, context) {
      const plain = openBytes(sealKey, PREFIX, sealed, Buffer.from(context, 'utf8'));
      if (plain === undefined) throw new KeyDecryptionError();
      return plain.toString('utf8');
    },
    digest(key) {
      // A latin1 ('binary') string straight from the hash is cheaper than a Buffer and a slice of it (hot path).
      return createHmac('sha256', lookupKey).update(key, 'utf8').digest('binary').slice(0, MAC_BYTES);
    },
    tag(text) {
      return createHmac('sha256', tagKey).update(text, 'utf8').digest().toString('base64url', 0, MAC_BYTES);
    },
  };
}

/**
 * The protector under `KEY_ENCRYPTION_KEY`, read on first use rather than at
 * creation, and again on every use until it is valid: a setting that is missing or
 * still an unresolved Key Vault reference fails the operations that need the key
 * (the catalog does not load, the gateway answers 503) instead of the module load,
 * and the app recovers once the setting resolves.
 */
export function keyProtectorFromEnv(env: NodeJS.ProcessEnv = process.env): KeyProtector {
  let protector: KeyProtector | undefined;
  const current = () => (protector ??= createKeyProtector(parseEncryptionKey(env.KEY_ENCRYPTION_KEY)));
  return {
    seal: (key, context) => current().seal(key, context),
    open: (sealed, context) => current().open(sealed, context),
    digest: (key) => current().digest(key),
    tag: (text) => current().tag(text),
  };
}
