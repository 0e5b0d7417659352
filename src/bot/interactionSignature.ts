import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** How far a signature's timestamp may be from the bot's clock: older requests are replays. */
export const SIGNATURE_MAX_AGE_S = 5 * 60;

/**
 * Checks Discord's signature on an HTTP interaction: Ed25519 over the
 * `X-Signature-Timestamp` header followed by the raw body, with the
 * application's public key (node:crypto verifies Ed25519 on its own). A
 * timestamp further than five minutes from now is refused too, so a
 * captured request cannot be replayed later.
 */
export class InteractionSignature {
  readonly #key: KeyObject;

  constructor(publicKeyHex: string) {
    const raw = Buffer.from(publicKeyHex, 'hex');
    if (raw.length !== 32) throw new Error('an Ed25519 public key is 32 bytes (64 hexadecimal characters)');
    this.#key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
  }

  /** Whether the headers could carry a valid signature (well formed, timestamp in the window): checked before the body is read. */
  plausible(signatureHex: string | undefined, timestamp: string | undefined, nowMs = Date.now()): boolean {
    if (!signatureHex || !timestamp || !/^[0-9a-f]{128}$/i.test(signatureHex) || !/^\d{1,12}$/.test(timestamp)) return false;
    return Math.abs(nowMs / 1000 - Number(timestamp)) <= SIGNATURE_MAX_AGE_S;
  }

  /** Whether `body` was signed by Discord at `timestamp` (headers as received; any missing or malformed part is false). */
  verify(signatureHex: string | undefined, timestamp: string | undefined, body: Buffer, nowMs = Date.now()): boolean {
    if (!this.plausible(signatureHex, timestamp, nowMs)) return false;
    return verify(null, Buffer.concat([Buffer.from(timestamp!, 'utf8'), body]), this.#key, Buffer.from(signatureHex!, 'hex'));
  }
}
