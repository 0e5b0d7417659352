import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InteractionSignature, SIGNATURE_MAX_AGE_S } from '../../src/bot/interactionSignature.ts';

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const publicHex = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
const signer = new InteractionSignature(publicHex);
const body = Buffer.from('{"type":1}');
const now = 1_790_000_000_000;
const at = (seconds: number) => String(Math.floor(now / 1000) + seconds);
const signed = (timestamp: string, bytes: Buffer = body) => sign(null, Buffer.concat([Buffer.from(timestamp), bytes]), privateKey).toString('hex');

describe('InteractionSignature', () => {
  it('given Discord\'s signature over timestamp + body, then it verifies, in either hex case', () => {
    const signature = signed(at(0));
    expect(signer.verify(signature, at(0), body, now)).toBe(true);
    expect(signer.verify(signature.toUpperCase(), at(0), body, now)).toBe(true);
    expect(new InteractionSignature(publicHex.toUpperCase()).verify(signature, at(0), body, now)).toBe(true);
  });

  it('given a changed body, another timestamp, another key, or a malformed header, then it does not', () => {
    const signature = signed(at(0));
    expect(signer.verify(signature, at(0), Buffer.from('{"type":2}'), now)).toBe(false);
    expect(signer.verify(signature, at(1), body, now)).toBe(false);
    const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
    expect(new InteractionSignature(other).verify(signature, at(0), body, now)).toBe(false);
    for (const bad of [undefined, '', 'zz'.repeat(64), signature.slice(2), `${signature}00`]) expect(signer.verify(bad, at(0), body, now)).toBe(false);
    for (const bad of [undefined, '', '12.5', '-1', '1e9', `${at(0)} `]) expect(signer.verify(signature, bad, body, now)).toBe(false);
  });

  it('given a timestamp further than five minutes from now, then a valid signature is refused (no replay later)', () => {
    for (const offset of [-SIGNATURE_MAX_AGE_S - 1, SIGNATURE_MAX_AGE_S + 1]) {
      expect(signer.verify(signed(at(offset)), at(offset), body, now)).toBe(false);
      expect(signer.plausible(signed(at(offset)), at(offset), now)).toBe(false);
    }
    expect(signer.verify(signed(at(-SIGNATURE_MAX_AGE_S)), at(-SIGNATURE_MAX_AGE_S), body, now)).toBe(true);
  });

  it('given a key that is not 32 bytes, then it is refused at start', () => {
    expect(() => new InteractionSignature('ab'.repeat(31))).toThrow(/32 bytes/);
  });
});
