import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes, base64url: the OAuth `state` and the PKCE verifier are both this. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** RFC 7636 S256: base64url(sha256(verifier)). */
export function codeChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** SHA-256, hex: how a one-time value (a confirmation's, a login's state) is stored, so a database reader cannot use it. */
export function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
