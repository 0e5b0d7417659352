/**
 * Fake EVE SSO v2: metadata, JWKS, authorize (PKCE S256), token (code and
 * refresh with strict rotation) and revoke, with switches for the failures a
 * token client must survive.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { delay, readBody, sendJson } from './http.ts';
import { s256, type KeyRing } from './keys.ts';
import { buildClaims, signAccessToken } from './tokens.ts';
import type { World } from './world.ts';

/**
 * Injected answers to token requests. 'timeout' and 'reset' answer nothing
 * and do nothing; 'lost-answer' carries the request out (a refresh rotates
 * the token) and then never answers, like an answer lost on the way back;
 * 'malformed' carries it out and answers 200 with a cut-off body.
 */
export type SsoFailure = { status: number; body?: unknown } | 'timeout' | 'reset' | 'malformed' | 'lost-answer';

/** Behaviour switches, exposed as `fake.sso`. */
export interface SsoControls {
  /** delay before every SSO answer except /authorize */
  latencyMs: number;
  /** the next `times` (default 1) token requests answer with this instead */
  failNext(kind: SsoFailure, times?: number): void;
  /** refresh answers without refresh_token; the presented one then stays valid */
  omitRefreshToken: boolean;
  /** one scope -> scp is a string (real EVE); several -> array; none -> absent */
  scpAsString: boolean;
  /** iss = '127.0.0.1:P' ('host', like 'login.eveonline.com') or 'http://127.0.0.1:P' ('url') */
  issuerForm: 'host' | 'url';
  /** default 1199 */
  accessTtlSeconds: number;
  /** token and revoke endpoints answer 401 {error:'invalid_client'} */
  invalidClient: boolean;
  /** authorize requires code_challenge (S256); default true. EVE allows web apps without PKCE. */
  requirePkce: boolean;
  /** authorization code lifetime; default 300 */
  codeTtlSeconds: number;
  /** the next `times` (default 1) JWKS requests answer with this status, or never ('timeout') */
  failJwksNext(kind: { status: number } | 'timeout', times?: number): void;
  /** merged over the metadata document (e.g. a jwks_uri on another origin) */
  metadataOverrides: Record<string, unknown>;
}

export interface TokenRequestRecord {
  grantType: string;
  /** Date.now() when the request arrived */
  at: number;
  /** HTTP status answered; 0 when no answer was sent ('timeout', 'reset') */
  status: number;
  /** whose code or refresh token was presented (when the fake knows it), also for injected failures */
  characterId?: number;
  refreshTokenUsed?: string;
  /** the User-Agent header the client sent */
  userAgent?: string;
  /** set when failNext shaped the answer */
  injected?: 'status' | 'timeout' | 'reset' | 'malformed' | 'lost-answer';
  /** the tokens a 200 answer carried, so tests can look for them where they must not be */
  issued?: { accessToken: string; refreshToken?: string };
}

const SSO_CONTROL_DEFAULTS: Omit<SsoControls, 'failNext' | 'failJwksNext' | 'metadataOverrides'> = {
  latencyMs: 0,
  omitRefreshToken: false,
  scpAsString: true,
  issuerForm: 'url',
  accessTtlSeconds: 1199,
  invalidClient: false,
  requirePkce: true,
  codeTtlSeconds: 300,
};

export interface AuthorizeRequestRecord {
  at: number;
  query: Record<string, string>;
  status: number;
  characterId?: number;
  /** why a 400 page was shown */
  problem?: string;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

interface PendingLogin {
  characterId: number;
  deny: boolean;
  scopes?: string[];
}

interface AuthorizationCode {
  characterId: number;
  redirectUri: string;
  challenge?: string;
  scopes: string[];
  expiresAt: number;
  used: boolean;
}

interface RefreshGrant {
  characterId: number;
  scopes: string[];
  valid: boolean;
}

export interface SsoDeps {
  clientId: string;
  clientSecret: string;
  callbackUrl?: string;
  world: World;
  ring: KeyRing;
  /** scopes the authorize endpoint accepts (the ESI spec's OAuth2 scope list) */
  knownScopes: Set<string>;
  signal: AbortSignal;
}

export class FakeSso {
  url = '';
  jwksRequests = 0;
  /** token requests received, counted on arrival (before `latencyMs`; `tokenRequests` records them once handled) */
  tokenRequestsArrived = 0;
  readonly tokenRequests: TokenRequestRecord[] = [];
  readonly authorizeRequests: AuthorizeRequestRecord[] = [];
  readonly revokedTokens: string[] = [];
  private readonly failures: { kind: SsoFailure; remaining: number }[] = [];
  private readonly jwksFailures: { kind: { status: number } | 'timeout'; remaining: number }[] = [];
  private readonly logins: PendingLogin[] = [];
  private readonly codes = new Map<string, AuthorizationCode>();
  private readonly grants = new Map<string, RefreshGrant>();

  readonly controls: SsoControls = {
    failNext: (kind, times = 1) => {
      if (times > 0) this.failures.push({ kind, remaining: times });
    },
    ...SSO_CONTROL_DEFAULTS,
    failJwksNext: (kind, times = 1) => {
      if (times > 0) this.jwksFailures.push({ kind, remaining: times });
    },
    metadataOverrides: {},
  };

  constructor(private readonly deps: SsoDeps) {}

  /** the `iss` tokens carry now */
  get issuer(): string {
    return this.controls.issuerForm === 'host' ? new URL(this.url).host : this.url;
  }

  /** both forms, as a verifier should accept them */
  get issuers(): string[] {
    return [this.url, new URL(this.url).host];
  }

  nextLogin(characterId: number, options: { deny?: boolean; scopes?: string[] } = {}): void {
    if (!this.deps.world.character(characterId)) throw new Error(`FakeEve.nextLogin: unknown character ${characterId}`);
    this.logins.push({ characterId, deny: options.deny ?? false, scopes: options.scopes });
  }

  issueTokens(characterId: number, scopes: string[], options: { accessTtlSeconds?: number } = {}): IssuedTokens {
    const refreshToken = this.newRefreshToken(characterId, scopes);
    const ttl = options.accessTtlSeconds ?? this.controls.accessTtlSeconds;
    return { accessToken: this.accessToken(characterId, scopes, ttl), refreshToken, expiresIn: ttl };
  }

  /** every refresh token of the character stops working (invalid_grant) */
  revokeCharacter(characterId: number): void {
    for (const grant of this.grants.values()) if (grant.characterId === characterId) grant.valid = false;
  }

  /** every switch back to its default, and queued failures dropped */
  resetControls(): void {
    Object.assign(this.controls, SSO_CONTROL_DEFAULTS, { metadataOverrides: {} });
    this.failures.length = 0;
    this.jwksFailures.length = 0;
  }

  resetCounters(): void {
    this.jwksRequests = 0;
    this.tokenRequests.length = 0;
    this.authorizeRequests.length = 0;
    this.revokedTokens.length = 0;
  }

  accessToken(characterId: number, scopes: string[], ttlSeconds: number): string {
    const character = this.deps.world.character(characterId);
    if (!character) throw new Error(`FakeEve: unknown character ${characterId}`);
    const key = this.deps.ring.current;
    const claims = buildClaims({
      characterId,
      name: character.name,
      owner: character.ownerHash,
      scopes,
      clientId: this.deps.clientId,
      issuer: this.issuer,
      ttlSeconds,
      scpAsString: this.controls.scpAsString,
      kid: key.kid,
    });
    return signAccessToken(claims, key);
  }

  private newRefreshToken(characterId: number, scopes: string[]): string {
    // Standard base64 (with + / =) like EVE's: the client must form-encode it.
    const token = randomBytes(16).toString('base64');
    this.grants.set(token, { characterId, scopes: [...scopes], valid: true });
    return token;
  }

  handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', this.url);
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /v2/oauth/authorize') return this.authorize(url, res);
    if (route === 'POST /v2/oauth/token') this.tokenRequestsArrived += 1;
    await delay(this.controls.latencyMs, this.deps.signal);
    switch (route) {
      case 'GET /.well-known/oauth-authorization-server':
        return sendJson(res, 200, this.metadata());
      case 'GET /oauth/jwks': {
        this.jwksRequests += 1;
        const failure = takeFirst(this.jwksFailures);
        if (failure === 'timeout') return; // never answered: the client must give up by itself
        if (failure) return sendJson(res, failure.status, { error: 'unavailable' });
        return sendJson(res, 200, this.deps.ring.jwks());
      }
      case 'POST /v2/oauth/token':
        return this.token(req, res);
      case 'POST /v2/oauth/revoke':
        return this.revoke(req, res);
      default:
        return sendJson(res, 404, { error: 'not_found' });
    }
  };

  private metadata() {
    const base = this.url;
    // Shape of login.eveonline.com's document; issuer is always the URL form there.
    return {
      issuer: base,
      authorization_endpoint: `${base}/v2/oauth/authorize`,
      token_endpoint: `${base}/v2/oauth/token`,
      response_types_supported: ['code', 'token'],
      jwks_uri: `${base}/oauth/jwks`,
      revocation_endpoint: `${base}/v2/oauth/revoke`,
      revocation_endpoint_auth_methods_supported: ['client_secret_basic'],
      token_endpoint_auth_methods_supported: ['client_secret_basic'],
      token_endpoint_auth_signing_alg_values_supported: ['HS256'],
      code_challenge_methods_supported: ['S256'],
      ...this.controls.metadataOverrides,
    };
  }

  private authorize(url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    const record: AuthorizeRequestRecord = { at: Date.now(), query: Object.fromEntries(q), status: 0 };
    this.authorizeRequests.push(record);
    const page = (problem: string) => {
      record.status = 400;
      record.problem = problem;
      const html = `<!doctype html><title>Bad request</title><h1>Bad request</h1><p>${problem.replace(/[<&>]/g, '')}</p>`;
      res.writeHead(400, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(html);
    };
    const redirectUri = q.get('redirect_uri') ?? '';
    const scopes = (q.get('scope') ?? '').split(' ').filter(Boolean);
    const challenge = q.get('code_challenge');
    const method = q.get('code_challenge_method');
    const state = q.get('state');
    if (q.get('response_type') !== 'code') return page('response_type must be code');
    if (q.get('client_id') !== this.deps.clientId) return page('unknown client_id');
    if (!URL.canParse(redirectUri)) return page('redirect_uri is missing or not an absolute URL');
    if (this.deps.callbackUrl !== undefined && redirectUri !== this.deps.callbackUrl)
      return page('redirect_uri does not match the registered callback URL');
    const unknown = scopes.filter((s) => !this.deps.knownScopes.has(s));
    if (unknown.length > 0) return page(`invalid scope: ${unknown.join(' ')}`);
    if (!state) return page('state is required');
    if (challenge === null && this.controls.requirePkce) return page('code_challenge is required');
    if (challenge !== null && method !== 'S256') return page('code_challenge_method must be S256');
    if (challenge !== null && !/^[A-Za-z0-9_-]{43}$/.test(challenge)) return page('code_challenge must be 43 base64url characters');
    const login = this.logins.shift();
    if (!login) return page('FakeEve: no login queued; call fake.nextLogin(characterId) first');

    record.characterId = login.characterId;
    const target = new URL(redirectUri);
    if (login.deny) {
      target.searchParams.set('error', 'access_denied');
    } else {
      const code = randomBytes(16).toString('base64url');
      this.codes.set(code, {
        characterId: login.characterId,
        redirectUri,
        challenge: challenge ?? undefined,
        scopes: login.scopes ?? scopes,
        expiresAt: Date.now() + this.controls.codeTtlSeconds * 1000,
        used: false,
      });
      target.searchParams.set('code', code);
    }
    target.searchParams.set('state', state);
    record.status = 302;
    res.writeHead(302, { Location: target.toString() });
    res.end();
  }

  /** Basic client_id:secret check shared by token and revoke */
  private clientAuthenticated(req: IncomingMessage): boolean {
    if (this.controls.invalidClient) return false;
    const match = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (!match) return false;
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    return decoded.slice(0, colon) === this.deps.clientId && safeEqual(decoded.slice(colon + 1), this.deps.clientSecret);
  }

  private async token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = (await readBody(req)).toString('utf8');
    const isForm = (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
    const form = new URLSearchParams(isForm ? raw : '');
    const record: TokenRequestRecord = { grantType: form.get('grant_type') ?? '', at: Date.now(), status: 0, userAgent: req.headers['user-agent'] };
    if (form.has('refresh_token')) record.refreshTokenUsed = form.get('refresh_token')!;
    // Known before any failure is injected: tests filter requests by character.
    record.characterId = (this.grants.get(form.get('refresh_token') ?? '') ?? this.codes.get(form.get('code') ?? ''))?.characterId;
    this.tokenRequests.push(record);
    const answer = (status: number, body: unknown) => {
      record.status = status;
      const issued = body as { access_token?: string; refresh_token?: string };
      if (status === 200 && issued.access_token) record.issued = { accessToken: issued.access_token, refreshToken: issued.refresh_token };
      if (lost) return; // carried out, but the client never hears of it
      if (garbled) {
        // Carried out (a refresh token is spent), but the answer is cut off.
        record.status = 200;
        res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
        res.end('{"access_token": "eyJhbGciOi');
        return;
      }
      sendJson(res, status, body, { 'Cache-Control': 'no-store' });
    };
    const taken = this.takeFailure();
    const lost = taken === 'lost-answer';
    const garbled = taken === 'malformed';
    if (lost || garbled) record.injected = taken;
    const failure = lost || garbled ? undefined : taken;
    if (failure !== undefined) {
      if (failure === 'timeout') {
        record.injected = 'timeout'; // never answer; the client has to abort
        return;
      }
      if (failure === 'reset') {
        record.injected = 'reset';
        req.socket.destroy();
        return;
      }
      record.injected = 'status';
      record.status = failure.status;
      if (failure.body === undefined) {
        res.writeHead(failure.status);
        res.end();
      } else sendJson(res, failure.status, failure.body);
      return;
    }

    if (!isForm) return answer(400, { error: 'invalid_request', error_description: 'The request body must be application/x-www-form-urlencoded.' });
    if (!this.clientAuthenticated(req)) return answer(401, { error: 'invalid_client', error_description: 'Client authentication failed.' });

    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') {
      const code = form.get('code') ?? '';
      const entry = this.codes.get(code);
      const invalid = (description: string) => answer(400, { error: 'invalid_grant', error_description: description });
      if (!entry) return invalid('Authorization code not found.');
      if (entry.used) return invalid('Authorization code has already been used.');
      entry.used = true; // burnt by any attempt, successful or not
      if (Date.now() > entry.expiresAt) return invalid('Authorization code has expired.');
      const redirectUri = form.get('redirect_uri');
      if (redirectUri !== null && redirectUri !== entry.redirectUri) return invalid('redirect_uri does not match the authorization request.');
      if (entry.challenge !== undefined) {
        const verifier = form.get('code_verifier');
        if (!verifier) return invalid('code_verifier is required.');
        if (s256(verifier) !== entry.challenge) return invalid('code_verifier does not match the code_challenge.');
      }
      return answer(200, this.tokenResponse(entry.characterId, entry.scopes, this.newRefreshToken(entry.characterId, entry.scopes)));
    }
    if (grantType === 'refresh_token') {
      const presented = form.get('refresh_token') ?? '';
      const grant = this.grants.get(presented);
      if (!grant || !grant.valid) return answer(400, { error: 'invalid_grant', error_description: 'Invalid refresh token. Token missing/expired.' });
      if (this.controls.omitRefreshToken) {
        const body = this.tokenResponse(grant.characterId, grant.scopes, undefined);
        return answer(200, body);
      }
      grant.valid = false; // strict rotation: the presented token is spent
      return answer(200, this.tokenResponse(grant.characterId, grant.scopes, this.newRefreshToken(grant.characterId, grant.scopes)));
    }
    return answer(400, { error: 'unsupported_grant_type', error_description: `grant_type ${grantType ?? '(missing)'} is not supported.` });
  }

  private tokenResponse(characterId: number, scopes: string[], refreshToken: string | undefined) {
    const ttl = this.controls.accessTtlSeconds;
    return {
      access_token: this.accessToken(characterId, scopes, ttl),
      expires_in: ttl,
      token_type: 'Bearer',
      ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
    };
  }

  private async revoke(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = (await readBody(req)).toString('utf8');
    if (!this.clientAuthenticated(req)) return sendJson(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed.' });
    const token = new URLSearchParams(raw).get('token');
    if (token) {
      this.revokedTokens.push(token);
      const grant = this.grants.get(token);
      if (grant) grant.valid = false;
    }
    // 200 whatever the token was (RFC 7009, and EVE does so).
    res.writeHead(200);
    res.end();
  }

  private takeFailure(): SsoFailure | undefined {
    return takeFirst(this.failures);
  }
}

/** The kind at the head of a queue of injected failures, counting it down. */
function takeFirst<K>(queue: { kind: K; remaining: number }[]): K | undefined {
  const head = queue[0];
  if (!head) return undefined;
  head.remaining -= 1;
  if (head.remaining <= 0) queue.shift();
  return head.kind;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
