import { createRemoteJWKSet, customFetch, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { fetch as undiciFetch, type Dispatcher } from 'undici';
import { z } from 'zod';
import { InvalidTokenError, SsoUnavailableError } from './errors.ts';

export interface VerifiedToken {
  characterId: bigint;
  name: string;
  ownerHash: string;
  scopes: string[];
  expiresAt: Date;
}

const SUBJECT = /^CHARACTER:EVE:(\d{1,19})$/;
// What the SSO signs with: RS256 today, and it lists an ES256 key. Nothing else is accepted.
const ALGORITHMS = ['RS256', 'ES256'];
/**
 * After a successful JWKS fetch that lacked a token's kid, the next fetch
 * waits this long. Tokens reach the verifier only from the SSO's own token
 * endpoint, so this only spares the SSO a burst of fetches; kept short so a
 * key CCP publishes during a rotation is seen within seconds.
 */
export const JWKS_COOLDOWN_MS = 5_000;

const claimsSchema = z.object({
  sub: z.string(),
  name: z.string().min(1),
  owner: z.string().min(1),
  scp: z.union([z.string(), z.array(z.string())]).optional(),
  aud: z.union([z.string(), z.array(z.string())]),
  iss: z.string(),
  exp: z.number(),
});

export interface TokenVerifierOptions {
  ssoUrl: string;
  clientId: string;
  jwksUri: () => Promise<string>;
  dispatcher?: Dispatcher;
  /** seconds of clock skew tolerated on exp */
  clockToleranceSeconds?: number;
}

/**
 * Verifies EVE SSO access tokens: signature against the SSO's JWKS (jose
 * caches the keys, fetches again when an unknown kid appears, at most once
 * per JWKS_COOLDOWN_MS; a failed fetch does not start that wait), issuer in
 * either of its forms, both audiences, expiry, subject.
 */
export class TokenVerifier {
  readonly #options: TokenVerifierOptions;
  readonly #issuers: Set<string>;
  #jwks?: Promise<ReturnType<typeof createRemoteJWKSet>>;

  constructor(options: TokenVerifierOptions) {
    this.#options = options;
    const sso = new URL(options.ssoUrl);
    // EVE writes `iss` as "login.eveonline.com" or "https://login.eveonline.com".
    this.#issuers = new Set([sso.host, sso.origin]);
  }

  async verify(token: string): Promise<VerifiedToken> {
    const keys = await this.#keys();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        algorithms: ALGORITHMS,
        clockTolerance: this.#options.clockToleranceSeconds ?? 5,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      throw classifyJoseError(error);
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw new InvalidTokenError(`claims malformed (${claims.error.issues.map((i) => i.path.join('.')).join(', ')})`);
    const { sub, name, owner, scp, aud, iss, exp } = claims.data;
    if (!this.#issuers.has(iss.replace(/\/+$/, ''))) throw new InvalidTokenError('issuer is not the EVE SSO');
    const audiences = Array.isArray(aud) ? aud : [aud];
    if (!audiences.includes(this.#options.clientId) || !audiences.includes('EVE Online')) {
      throw new InvalidTokenError('audience does not name this application and "EVE Online"');
    }
    const subject = SUBJECT.exec(sub);
    if (!subject) throw new InvalidTokenError('subject is not CHARACTER:EVE:<id>');
    return {
      characterId: BigInt(subject[1]!),
      name,
      ownerHash: owner,
      scopes: scp === undefined ? [] : Array.isArray(scp) ? scp : [scp],
      expiresAt: new Date(exp * 1000),
    };
  }

  #keys(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    this.#jwks ??= this.#options.jwksUri().then((uri) =>
      createRemoteJWKSet(new URL(uri), {
        cooldownDuration: JWKS_COOLDOWN_MS,
        cacheMaxAge: 60 * 60 * 1000,
        timeoutDuration: 3_000,
        [customFetch]: ((url: string, init: RequestInit) =>
          undiciFetch(url, { ...init, dispatcher: this.#options.dispatcher } as never)) as never,
      }),
    );
    this.#jwks.catch(() => {
      this.#jwks = undefined;
    });
    return this.#jwks;
  }
}

function classifyJoseError(error: unknown): Error {
  if (error instanceof joseErrors.JWTExpired) return new InvalidTokenError('expired');
  if (error instanceof joseErrors.JWKSNoMatchingKey) return new InvalidTokenError('signed with an unknown key');
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return new InvalidTokenError('signature invalid');
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return new InvalidTokenError('algorithm not allowed');
  if (
    error instanceof joseErrors.JWKSTimeout ||
    error instanceof joseErrors.JWKSInvalid ||
    (error instanceof joseErrors.JOSEError && /JSON Web Key Set HTTP response/.test(error.message))
  ) {
    return new SsoUnavailableError('EVE SSO keys (JWKS) could not be fetched', { cause: error });
  }
  if (error instanceof joseErrors.JOSEError) return new InvalidTokenError(error.code.replace(/^ERR_/, '').toLowerCase());
  // Network failures while fetching the JWKS surface as plain errors.
  return new SsoUnavailableError(`EVE SSO keys (JWKS) unreachable: ${(error as Error).message}`, { cause: error });
}
