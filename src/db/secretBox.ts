import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for secrets at rest. Each ciphertext is bound to what it belongs
 * to (associated data, e.g. "grant:refresh:<character id>"), so a value copied
 * to another row does not decrypt. The key id travels with the row: a wrong or
 * rotated key is reported as such instead of yielding garbage.
 *
 * Rotation: the box seals with the current key and opens with it or with any
 * of the previous keys it was given (TOKEN_ENCRYPTION_OLD_KEYS); rows are
 * re-sealed with the current key as they are used, or all at once by
 * `npm run keys:rotate`.
 *
 * Layout: version (1 byte) | iv (12) | tag (16) | ciphertext.
 */
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

/** A public fingerprint of a key: tells which key sealed a row, reveals nothing of it. */
function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('eve-bot key id').update(key).digest('base64url').slice(0, 12);
}

function decodeKey(base64Key: string, name: string): Buffer {
  const key = Buffer.from(base64Key, 'base64');
  if (key.length !== 32) throw new SecretBoxError(`${name} must be 32 bytes (base64)`);
  return key;
}

export class SecretBox {
  /** the id of the current key, stored with every row it seals */
  readonly keyId: string;
  readonly #key: Buffer;
  /** every key that opens rows, the current one included, by id */
  readonly #keys = new Map<string, Buffer>();

  constructor(base64Key: string, oldBase64Keys: readonly string[] = []) {
    this.#key = decodeKey(base64Key, 'TOKEN_ENCRYPTION_KEY');
    this.keyId = keyIdOf(this.#key);
    this.#keys.set(this.keyId, this.#key);
    for (const old of oldBase64Keys) {
      const key = decodeKey(old, 'each key of TOKEN_ENCRYPTION_OLD_KEYS');
      this.#keys.set(keyIdOf(key), key);
    }
  }

  /** The ids of the previous keys this box still opens. */
  get oldKeyIds(): string[] {
    return [...this.#keys.keys()].filter((id) => id !== this.keyId);
  }

  /** Whether a row sealed with this key id should be sealed again with the current key. */
  isOutdated(keyId: string): boolean {
    return keyId !== this.keyId;
  }

  seal(plaintext: string, associatedData: string): Uint8Array<ArrayBuffer> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    // A plain Uint8Array over its own ArrayBuffer: what Prisma's Bytes columns take.
    return new Uint8Array(Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]));
  }

  /** A secret sealed with any key this box opens, sealed again with the current key (key rotation). */
  reseal(sealed: Uint8Array, associatedData: string, keyId: string): Uint8Array<ArrayBuffer> {
    return this.seal(this.open(sealed, associatedData, keyId), associatedData);
  }

  open(sealed: Uint8Array, associatedData: string, keyId: string): string {
    const key = this.#keys.get(keyId);
    if (!key) {
      throw new SecretBoxError(
        `this secret was sealed with key ${keyId}, but TOKEN_ENCRYPTION_KEY is key ${this.keyId}` +
          `${this.#keys.size > 1 ? ' and TOKEN_ENCRYPTION_OLD_KEYS does not hold it' : ''}: restore the previous key (as TOKEN_ENCRYPTION_KEY, or in TOKEN_ENCRYPTION_OLD_KEYS)`,
      );
    }
    const data = Buffer.from(sealed);
    if (data.length < 1 + IV_BYTES + TAG_BYTES || data[0] !== VERSION) {
      throw new SecretBoxError('sealed secret is malformed');
    }
    const iv = data.subarray(1, 1 + IV_BYTES);
    const tag = data.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(data.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError('sealed secret does not open with this key and owner (wrong key or tampered row)');
    }
  }
}
