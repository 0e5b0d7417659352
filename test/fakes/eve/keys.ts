/**
 * Signing keys and JWT signing for the fake SSO.
 *
 * Signing is synchronous (node:crypto, compact JWS per RFC 7515) because
 * `FakeEve.issueTokens()` is synchronous; the test verifies the result with
 * jose, so the two implementations check each other. Keys are generated once
 * per process and shared by every FakeEve (RSA key generation is slow, and
 * the kids are fixed names anyway); rotated keys are always new.
 */
import { createHash, generateKeyPair, randomBytes, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

const generate = promisify(generateKeyPair);

export type SigningAlg = 'RS256' | 'ES256';

export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  privateKey: KeyObject;
  /** public JWK as the JWKS lists it */
  jwk: Record<string, unknown>;
}

/** The kid real EVE uses for its RS256 key. */
export const RS256_KID = 'JWT-Signature-Key';
/** Our own name for the ES256 key EVE also lists. */
export const ES256_KID = 'JWT-Signature-Key-ES256';

export async function createSigningKey(alg: SigningAlg, kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } =
    alg === 'RS256'
      ? await generate('rsa', { modulusLength: 2048, publicExponent: 0x10001 })
      : await generate('ec', { namedCurve: 'P-256' });
  const { kty, n, e, crv, x, y } = publicKey.export({ format: 'jwk' });
  const material = kty === 'RSA' ? { e, kty, n } : { crv, kty, x, y };
  return { kid, alg, privateKey, jwk: { alg, kid, ...material, use: 'sig' } };
}

interface BaseKeys {
  rs256: SigningKey;
  es256: SigningKey;
  /** a key whose kid no JWKS lists */
  unknown: SigningKey;
  /** an RSA key nobody publishes, used to forge "JWT-Signature-Key" signatures */
  impostor: SigningKey;
}

let base: Promise<BaseKeys> | undefined;

export function baseKeys(): Promise<BaseKeys> {
  base ??= (async () => {
    const [rs256, es256, unknown, impostor] = await Promise.all([
      createSigningKey('RS256', RS256_KID),
      createSigningKey('ES256', ES256_KID),
      createSigningKey('RS256', 'unknown-signing-key'),
      createSigningKey('RS256', RS256_KID),
    ]);
    return { rs256, es256, unknown, impostor };
  })();
  return base;
}

/** Published keys plus the one signing now. */
export class KeyRing {
  private readonly published: SigningKey[];
  current: SigningKey;

  constructor(readonly base: BaseKeys) {
    this.published = [base.rs256, base.es256];
    this.current = base.rs256;
  }

  /**
   * Signs with a new key from now on. Old keys stay listed, as a real
   * rotation keeps them until old tokens expire. `publish: false` signs
   * before the JWKS lists the key (a rotation seen half done): `publishCurrent()` lists it.
   */
  async rotate(alg: SigningAlg, options: { publish?: boolean } = {}): Promise<string> {
    const key = await createSigningKey(alg, `JWT-Signature-Key-${randomBytes(6).toString('hex')}`);
    if (options.publish !== false) this.published.push(key);
    this.current = key;
    return key.kid;
  }

  publishCurrent(): void {
    if (!this.published.includes(this.current)) this.published.push(this.current);
  }

  jwks(): { keys: Record<string, unknown>[]; SkipUnresolvedJsonWebKeys: boolean } {
    // EVE's JWKS carries this .NET-ism at top level; clients must ignore it.
    return { keys: this.published.map((k) => ({ ...k.jwk })), SkipUnresolvedJsonWebKeys: true };
  }
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/**
 * Compact JWS. The signature always uses `key`'s own algorithm, whatever
 * `header.alg` says, so a test can mislabel the algorithm; `alg: 'none'`
 * gives an unsigned token.
 */
export function signJwt(header: Record<string, unknown>, payload: Record<string, unknown>, key: SigningKey): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  if (header.alg === 'none') return `${input}.`;
  const signature =
    key.alg === 'RS256'
      ? sign('sha256', Buffer.from(input), key.privateKey)
      : sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${b64url(signature)}`;
}

/** RFC 7636 S256: BASE64URL(SHA256(ascii(verifier))). */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}
