/**
 * Access-token minting and checking, shared by the SSO (which issues them)
 * and ESI (which accepts them). Claims mirror a real EVE SSO v2 token.
 */
import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, errors, jwtVerify } from 'jose';
import { signJwt, type KeyRing, type SigningKey } from './keys.ts';

export const EVE_AUDIENCE = 'EVE Online';

export interface ClaimsInput {
  characterId: number;
  name: string;
  owner: string;
  scopes: string[];
  clientId: string;
  issuer: string;
  ttlSeconds: number;
  scpAsString: boolean;
  kid: string;
}

/** scp: absent with no scopes, a string for one scope (when scpAsString), else an array. */
export function scpClaim(scopes: string[], scpAsString: boolean): string | string[] | undefined {
  if (scopes.length === 0) return undefined;
  if (scopes.length === 1 && scpAsString) return scopes[0];
  return [...scopes];
}

export function buildClaims(input: ClaimsInput): Record<string, unknown> {
  const iat = Math.floor(Date.now() / 1000);
  const scp = scpClaim(input.scopes, input.scpAsString);
  return {
    ...(scp === undefined ? {} : { scp }),
    jti: randomUUID(),
    kid: input.kid,
    sub: `CHARACTER:EVE:${input.characterId}`,
    azp: input.clientId,
    tenant: 'tranquility',
    tier: 'live',
    region: 'world',
    aud: [input.clientId, EVE_AUDIENCE],
    name: input.name,
    owner: input.owner,
    exp: iat + input.ttlSeconds,
    iat,
    iss: input.issuer,
  };
}

export function signAccessToken(claims: Record<string, unknown>, key: SigningKey): string {
  return signJwt({ alg: key.alg, kid: key.kid, typ: 'JWT' }, claims, key);
}

export type TokenCheck =
  | { ok: true; characterId: number; scopes: string[] }
  | { ok: false; reason: 'invalid' | 'expired' };

/**
 * What ESI accepts: a signature by a key the fake SSO publishes (rotated ones
 * included), an unexpired `exp`, `aud` containing "EVE Online", either issuer
 * form, and a `CHARACTER:EVE:<id>` subject.
 */
export async function checkAccessToken(token: string, ring: KeyRing, issuers: string[]): Promise<TokenCheck> {
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet(ring.jwks() as never), {
      algorithms: ['RS256', 'ES256'],
      audience: EVE_AUDIENCE,
      issuer: issuers,
    });
    const match = /^CHARACTER:EVE:(\d+)$/.exec(String(payload.sub));
    if (!match) return { ok: false, reason: 'invalid' };
    const scp = payload.scp;
    const scopes = typeof scp === 'string' ? [scp] : Array.isArray(scp) ? scp.map(String) : [];
    return { ok: true, characterId: Number(match[1]), scopes };
  } catch (error) {
    return { ok: false, reason: error instanceof errors.JWTExpired ? 'expired' : 'invalid' };
  }
}
