import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox, SecretBoxError } from '../../src/db/secretBox.ts';

const key = () => randomBytes(32).toString('base64');

describe('SecretBox', () => {
  it('given a sealed secret, then it opens with the same key and owner, and the ciphertext hides it', () => {
    const box = new SecretBox(key());
    const sealed = box.seal('refresh-token-value', 'grant:refresh:90000001');
    expect(Buffer.from(sealed).includes(Buffer.from('refresh-token-value'))).toBe(false);
    expect(box.open(sealed, 'grant:refresh:90000001', box.keyId)).toBe('refresh-token-value');
  });

  it('given the same plaintext twice, then the ciphertexts differ (random iv)', () => {
    const box = new SecretBox(key());
    expect(Buffer.from(box.seal('x', 'a')).equals(Buffer.from(box.seal('x', 'a')))).toBe(false);
  });

  it('given another owner (a row copied to another character), then opening fails clearly', () => {
    const box = new SecretBox(key());
    const sealed = box.seal('token', 'grant:refresh:1');
    expect(() => box.open(sealed, 'grant:refresh:2', box.keyId)).toThrow(SecretBoxError);
  });

  it('given a different key, then the key id tells, and never garbage', () => {
    const a = new SecretBox(key());
    const b = new SecretBox(key());
    const sealed = a.seal('token', 'owner');
    expect(() => b.open(sealed, 'owner', a.keyId)).toThrow(/sealed with key .* but TOKEN_ENCRYPTION_KEY is key/);
    // Even with a forged key id, GCM refuses.
    expect(() => b.open(sealed, 'owner', b.keyId)).toThrow(/does not open/);
  });

  it('given a tampered ciphertext, then opening fails', () => {
    const box = new SecretBox(key());
    const sealed = box.seal('token', 'owner');
    sealed[sealed.length - 1]! ^= 1;
    expect(() => box.open(sealed, 'owner', box.keyId)).toThrow(SecretBoxError);
  });

  it('given a key of the wrong size, then construction fails', () => {
    expect(() => new SecretBox(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
  });
});

describe('SecretBox with previous keys', () => {
  it('given rows sealed with an old key, then they open, new ones are sealed with the current key, and the old id is outdated', () => {
    const oldKey = key();
    const old = new SecretBox(oldKey);
    const sealed = old.seal('token', 'owner');
    const box = new SecretBox(key(), [oldKey]);
    expect(box.open(sealed, 'owner', old.keyId)).toBe('token');
    expect(box.isOutdated(old.keyId)).toBe(true);
    expect(box.isOutdated(box.keyId)).toBe(false);
    expect(box.oldKeyIds).toEqual([old.keyId]);
    expect(() => old.open(box.seal('x', 'owner'), 'owner', box.keyId)).toThrow(/restore the previous key/);
  });

  it('given a key id none of the keys has, then the message names TOKEN_ENCRYPTION_OLD_KEYS', () => {
    const box = new SecretBox(key(), [key()]);
    expect(() => box.open(new Uint8Array(40), 'owner', 'someotherkey')).toThrow(/TOKEN_ENCRYPTION_OLD_KEYS does not hold it/);
  });

  it('given an old key of the wrong size, then construction fails naming the variable', () => {
    expect(() => new SecretBox(key(), [randomBytes(8).toString('base64')])).toThrow(/TOKEN_ENCRYPTION_OLD_KEYS/);
  });
});
