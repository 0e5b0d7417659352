import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for secrets at rest. Each ciphertext is bound to what it belongs
 * to (associated data, e.g. "grant:refresh:<character id>"), so a value copied
 * to another row does not decrypt. The key id travels with the row: a wrong or
 * rotated key is reported as such instead of yielding garbage.
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

export class SecretBox {
  readonly keyId: string;
  readonly #key: Buffer;

  constructor(base64Key: string) {
    const key = Buffer.from(base64Key, 'base64');
    if (key.length !== 32) throw new SecretBoxError('TOKEN_ENCRYPTION_KEY must be 32 bytes (base64)');
    this.#key = key;
    // A public fingerprint of the key: tells which key sealed a row, reveals nothing of it.
    this.keyId = createHash('sha256').update('eve-bot key id').update(key).digest('base64url').slice(0, 12);
  }

  seal(plaintext: string, associatedData: string): Uint8Array<ArrayBuffer> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    // A plain Uint8Array over its own ArrayBuffer: what Prisma's Bytes columns take.
    return new Uint8Array(Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]));
  }

  open(sealed: Uint8Array, associatedData: string, keyId: string): string {
    if (keyId !== this.keyId) {
      throw new SecretBoxError(
        `this secret was sealed with key ${keyId}, but TOKEN_ENCRYPTION_KEY is key ${this.keyId}: restore the previous key`,
      );
    }
    const data = Buffer.from(sealed);
    if (data.length < 1 + IV_BYTES + TAG_BYTES || data[0] !== VERSION) {
      throw new SecretBoxError('sealed secret is malformed');
    }
    const iv = data.subarray(1, 1 + IV_BYTES);
    const tag = data.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.#key, iv);
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(data.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError('sealed secret does not open with this key and owner (wrong key or tampered row)');
    }
  }
}
