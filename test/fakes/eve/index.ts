/**
 * FakeEve: EVE SSO v2 and ESI on two loopback servers, for tests of the bot's
 * real HTTP code. See README.md beside this file for behaviour details.
 *
 *   const eve = await FakeEve.start({ clientId, clientSecret, callbackUrl });
 *   eve.addCorporation({ id: 98000001, name: 'Corp', ticker: 'CORP' });
 *   eve.addCharacter({ id: 90000001, name: 'Pilot', corporationId: 98000001, wallet: 1e9 });
 *   // EVE_SSO_URL=eve.ssoUrl, ESI_URL=eve.esiUrl
 *   await eve.close();
 */
import { setMaxListeners } from 'node:events';
import { FakeEsi, type EsiControls, type EsiRequestRecord } from './esi.ts';
import { closeServer, listen, type Listening } from './http.ts';
import { baseKeys, KeyRing, signJwt, RS256_KID, type SigningAlg } from './keys.ts';
import { loadSpec } from './spec.ts';
import { FakeSso, type AuthorizeRequestRecord, type IssuedTokens, type SsoControls, type TokenRequestRecord } from './sso.ts';
import { buildClaims, checkAccessToken } from './tokens.ts';
import { World, type FakeAlliance, type FakeCharacter, type FakeCorporation } from './world.ts';

export type { RouteKey } from './spec.ts';
export type { EsiControls, EsiInjectedResponse, EsiRequestRecord } from './esi.ts';
export type { AuthorizeRequestRecord, IssuedTokens, SsoControls, SsoFailure, TokenRequestRecord } from './sso.ts';
export type { FakeAlliance, FakeCharacter, FakeCorporation, JournalEntry, SkillEntry, SkillqueueEntry, SkillsBody } from './world.ts';
export { s256 } from './keys.ts';

/** The X-Compatibility-Date of the fixture's spec (e.g. '2026-08-18'). */
export const ESI_COMPATIBILITY_DATE: string = loadSpec().compatibilityDates[0] ?? loadSpec().version;

export interface FakeEveOptions {
  clientId: string;
  clientSecret: string;
  /** when set, /authorize accepts only this redirect_uri */
  callbackUrl?: string;
}

export interface MintJwtOptions {
  /** default: the first added character, else 90000001 */
  characterId?: number;
  /** scopes for scp (default none: scp absent); `claims.scp` overrides */
  scopes?: string[];
  /** merged over the standard claims */
  claims?: Record<string, unknown>;
  /** claim names to drop */
  omit?: string[];
  /** merged over {alg, kid, typ}; `alg: 'none'` gives an unsigned token, other mismatches a bad signature */
  header?: Record<string, unknown>;
  /**
   * default: the current signing key. known-rs256 / known-es256: the keys the
   * JWKS lists from the start; unknown: a key with a kid the JWKS lacks;
   * wrong-signature: header says JWT-Signature-Key but another key signed.
   */
  key?: 'known-rs256' | 'known-es256' | 'unknown' | 'wrong-signature';
  /** seconds until exp; negative for an expired token (default sso.accessTtlSeconds) */
  expiresIn?: number;
}

export class FakeEve {
  readonly ssoUrl: string;
  readonly esiUrl: string;
  /** SSO behaviour switches */
  readonly sso: SsoControls;
  /** ESI behaviour switches */
  readonly esi: EsiControls;
  private readonly abort = new AbortController();
  private closed: Promise<void> | undefined;

  private constructor(
    private readonly options: FakeEveOptions,
    private readonly world: World,
    private readonly ring: KeyRing,
    private readonly fakeSso: FakeSso,
    private readonly fakeEsi: FakeEsi,
    private readonly servers: Listening[],
  ) {
    this.ssoUrl = fakeSso.url;
    this.esiUrl = fakeEsi.url;
    this.sso = fakeSso.controls;
    this.esi = fakeEsi.controls;
  }

  /** Starts SSO and ESI on 127.0.0.1 with OS-chosen ports. */
  static async start(options: FakeEveOptions): Promise<FakeEve> {
    const spec = loadSpec();
    const ring = new KeyRing(await baseKeys());
    const world = new World();
    const abort = new AbortController();
    // Every delayed request listens on it: a burst of a thousand is expected, not a leak.
    setMaxListeners(Number.POSITIVE_INFINITY, abort.signal);
    const sso = new FakeSso({ ...options, world, ring, knownScopes: spec.scopes, signal: abort.signal });
    const esi = new FakeEsi({ world, spec, signal: abort.signal, verify: (token) => checkAccessToken(token, ring, sso.issuers) });
    const ssoServer = await listen(sso.handle);
    const esiServer = await listen(esi.handle);
    sso.url = ssoServer.url;
    esi.url = esiServer.url;
    const fake = new FakeEve(options, world, ring, sso, esi, [ssoServer, esiServer]);
    // One abort for delays in both servers.
    fake.abort.signal.addEventListener('abort', () => abort.abort(), { once: true });
    return fake;
  }

  /** The `iss` tokens carry now: '127.0.0.1:P' (issuerForm 'host') or 'http://127.0.0.1:P' ('url', default). */
  get issuer(): string {
    return this.fakeSso.issuer;
  }

  /** Both issuer forms, which a verifier should accept (like login.eveonline.com and https://login.eveonline.com). */
  get issuers(): string[] {
    return this.fakeSso.issuers;
  }

  /** The bot's environment for this fake. */
  env(): Record<string, string> {
    return {
      EVE_SSO_URL: this.ssoUrl,
      ESI_URL: this.esiUrl,
      EVE_CLIENT_ID: this.options.clientId,
      EVE_CLIENT_SECRET: this.options.clientSecret,
      ...(this.options.callbackUrl ? { EVE_CALLBACK_URL: this.options.callbackUrl } : {}),
    };
  }

  // ---- world ----

  /** Adds or replaces a character (a replaced one keeps its owner hash unless given). */
  addCharacter(c: FakeCharacter): void {
    this.world.addCharacter({ ...c, ownerHash: c.ownerHash ?? this.world.character(c.id)?.ownerHash });
  }

  addCorporation(c: FakeCorporation): void {
    this.world.addCorporation(c);
  }

  addAlliance(a: FakeAlliance): void {
    this.world.addAlliance(a);
  }

  /** for /universe/names (skill types, stations...) */
  addName(id: number, name: string, category: string): void {
    this.world.addName(id, name, category);
  }

  /** The character's owner hash now. */
  ownerHash(characterId: number): string {
    const c = this.world.character(characterId);
    if (!c) throw new Error(`FakeEve: unknown character ${characterId}`);
    return c.ownerHash;
  }

  /** A transfer to another account: new owner hash, and its refresh tokens revoked unless keepTokens. */
  setOwnerHash(characterId: number, hash: string, options: { keepTokens?: boolean } = {}): void {
    const c = this.world.character(characterId);
    if (!c) throw new Error(`FakeEve: unknown character ${characterId}`);
    c.ownerHash = hash;
    if (!options.keepTokens) this.fakeSso.revokeCharacter(characterId);
  }

  // ---- SSO ----

  /** Who logs in at the next /authorize (queued: one per authorize). */
  nextLogin(characterId: number, options?: { deny?: boolean; scopes?: string[] }): void {
    this.fakeSso.nextLogin(characterId, options);
  }

  /** A grant as if the character had logged in with these scopes. */
  issueTokens(characterId: number, scopes: string[], options?: { accessTtlSeconds?: number }): IssuedTokens {
    return this.fakeSso.issueTokens(characterId, scopes, options);
  }

  async mintJwt(options: MintJwtOptions = {}): Promise<string> {
    const characterId = options.characterId ?? this.world.characters.keys().next().value ?? 90000001;
    const character = this.world.character(characterId);
    const base = this.ring.base;
    const key =
      options.key === 'known-rs256' ? base.rs256
      : options.key === 'known-es256' ? base.es256
      : options.key === 'unknown' ? base.unknown
      : options.key === 'wrong-signature' ? base.impostor
      : this.ring.current;
    const claims = buildClaims({
      characterId,
      name: character?.name ?? `Character ${characterId}`,
      owner: character?.ownerHash ?? 'bm90IGEgcmVhbCBvd25lciBoYXNo',
      scopes: options.scopes ?? [],
      clientId: this.options.clientId,
      issuer: this.fakeSso.issuer,
      ttlSeconds: options.expiresIn ?? this.sso.accessTtlSeconds,
      scpAsString: this.sso.scpAsString,
      kid: key === base.impostor ? RS256_KID : key.kid,
    });
    Object.assign(claims, options.claims);
    for (const name of options.omit ?? []) delete claims[name];
    const header = { alg: key.alg, kid: key === base.impostor ? RS256_KID : key.kid, typ: 'JWT', ...options.header };
    return signJwt(header, claims, key);
  }

  /**
   * Signs with a new key (new kid) from now on; old keys stay listed. With
   * `publish: false` the JWKS does not list it yet (CCP's rotation half
   * done) until `publishSigningKey()`.
   */
  rotateSigningKey(alg: SigningAlg = 'RS256', options: { publish?: boolean } = {}): Promise<string> {
    return this.ring.rotate(alg, options);
  }

  publishSigningKey(): void {
    this.ring.publishCurrent();
  }

  /** The kid signing now. */
  get currentKid(): string {
    return this.ring.current.kid;
  }

  /** Makes every refresh token of the character answer invalid_grant (access tokens stay valid until exp, as JWTs do). */
  revokeCharacter(characterId: number): void {
    this.fakeSso.revokeCharacter(characterId);
  }

  /** token requests received so far, counted as they arrive (before the SSO's latency) */
  get tokenRequestsArrived(): number {
    return this.fakeSso.tokenRequestsArrived;
  }

  get tokenRequests(): TokenRequestRecord[] {
    return this.fakeSso.tokenRequests;
  }

  get authorizeRequests(): AuthorizeRequestRecord[] {
    return this.fakeSso.authorizeRequests;
  }

  /** tokens posted to /v2/oauth/revoke */
  get revokedTokens(): string[] {
    return this.fakeSso.revokedTokens;
  }

  /** GET /oauth/jwks count, to check a client caches the JWKS */
  get jwksRequests(): number {
    return this.fakeSso.jwksRequests;
  }

  // ---- ESI ----

  get esiRequests(): EsiRequestRecord[] {
    return this.fakeEsi.requests;
  }

  /** Forgets ESI's server-side cache, so data changed by a test shows before the cache time ends. */
  clearEsiCache(): void {
    this.fakeEsi.clearCache();
  }

  /** Every `sso` switch back to its default, and failures queued with failNext dropped. */
  resetSsoControls(): void {
    this.fakeSso.resetControls();
  }

  /** Clears request records and counters, rate-limit buckets and the error limit; not data, grants or caches. */
  resetCounters(): void {
    this.fakeSso.resetCounters();
    this.fakeEsi.resetCounters();
  }

  /** Stops both servers, dropping hung requests; safe to call twice. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.abort.abort();
      await Promise.all(this.servers.map((s) => closeServer(s.server)));
    })();
    return this.closed;
  }
}
