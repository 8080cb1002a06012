import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Subscription keys at rest: sealed with AES-256-GCM under `KEY_ENCRYPTION_KEY`
 * (32 bytes, base64), each bound to its subscription and slot so a sealed key
 * cannot be moved to another record. In memory keys are looked up by a keyed hash
 * (HMAC-SHA256 under a subkey), never by the key itself.
 */
export interface KeyProtector {
  /** `enc1.<iv>.<ciphertext+tag>` (base64url parts). */
  seal(key: string, context: string): string;
  /** The key; throws when the value was not sealed under this protector's key and context. */
  open(sealed: string, context: string): string;
  /** The lookup digest of a key. */
  digest(key: string): string;
}

const PREFIX = 'enc1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class KeyDecryptionError extends Error {
  constructor() {
    super('a subscription key could not be decrypted: KEY_ENCRYPTION_KEY differs from the one it was written with');
    this.name = 'KeyDecryptionError';
  }
}

export function isSealed(value: string): boolean {
  return value.startsWith(PREFIX);
}

/** Parses a base64 32-byte key; the message names the setting, never the value. */
export function parseEncryptionKey(text: string | undefined, setting = 'KEY_ENCRYPTION_KEY'): Buffer {
  if (!text) throw new Error(`${setting} is not set: it must be 32 random bytes in base64 (e.g. node -e "console.log(require('crypto').randomBytes(32).toString('base64'))")`);
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32 || key.toString('base64') !== text.replace(/\s+/g, '')) {
    throw new Error(`${setting} must be exactly 32 bytes in base64 (44 characters)`);
  }
  return key;
}

export function createKeyProtector(encryptionKey: Buffer): KeyProtector {
  // Separate subkeys for sealing and hashing: one use per key.
  const sealKey = Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), 'apim-lab subscription key sealing', 32));
  // A KeyObject: each HMAC reuses the imported key instead of copying the bytes in again.
  const lookupKey = createSecretKey(Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), 'apim-lab subscription key lookup', 32)));
  return {
    seal(key, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', sealKey, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const sealed = Buffer.concat([cipher.update(key, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${PREFIX}${iv.toString('base64url')}.${sealed.toString('base64url')}`;
    },
    open(sealed, context) {
      const [ivText, dataText] = sealed.slice(PREFIX.length).split('.');
      if (!isSealed(sealed) || !ivText || !dataText) throw new KeyDecryptionError();
      const iv = Buffer.from(ivText, 'base64url');
      const data = Buffer.from(dataText, 'base64url');
      if (iv.length !== IV_BYTES || data.length <= TAG_BYTES) throw new KeyDecryptionError();
      try {
        const decipher = createDecipheriv('aes-256-gcm', sealKey, iv);
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
        return Buffer.concat([decipher.update(data.subarray(0, data.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new KeyDecryptionError();
      }
    },
    digest(key) {
      return createHmac('sha256', lookupKey).update(key, 'utf8').digest('base64');
    },
  };
}

export function keyProtectorFromEnv(env: NodeJS.ProcessEnv = process.env): KeyProtector {
  return createKeyProtector(parseEncryptionKey(env.KEY_ENCRYPTION_KEY));
}
