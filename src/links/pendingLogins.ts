import type { Database } from '../db/client.ts';
import { SecretBoxError, type SecretBox } from '../db/secretBox.ts';
import { codeChallenge, randomToken } from './pkce.ts';

export const PENDING_LOGIN_TTL_MS = 10 * 60 * 1000;
export const MAX_PENDING_PER_USER = 5;
/** First key of the two-key advisory lock that serializes one user's /link (the one-key space is the characters'). */
const PENDING_LOCK_NAMESPACE = 0x6c696e6b; // 'link'

/** The Discord account that ran /link, as the confirmation page shows it. */
export interface DiscordAccount {
  username: string;
  displayName: string;
  /** https://cdn.discordapp.com/… ; null when unknown */
  avatarUrl: string | null;
}

export interface PendingLoginInput {
  discordUserId: bigint;
  guildId: bigint | null;
  scopes: string[];
  interactionToken: string;
  applicationId: string;
  account: DiscordAccount;
}

export interface PendingLogin {
  state: string;
  discordUserId: bigint;
  guildId: bigint | null;
  scopes: string[];
  codeVerifier: string;
  interactionToken: string;
  applicationId: string;
  account: DiscordAccount;
  /** when /link ran: Discord's interaction token (to edit the reply) lives 15 minutes from then */
  createdAt: Date;
  expiresAt: Date;
}

interface SealedSecrets {
  codeVerifier: string;
  interactionToken: string;
  applicationId: string;
  account: DiscordAccount;
}

export type PeekResult = { status: 'ok'; login: PendingLogin; challenge: string } | { status: 'unknown' } | { status: 'expired'; guildId: bigint | null };
/** An expired login still names its /link reply (to say it expired there), unless its secrets no longer open. */
export type ConsumeResult = { status: 'ok'; login: PendingLogin } | { status: 'unknown' } | { status: 'expired'; login: PendingLogin | undefined };

/**
 * SSO logins begun by /link. The state is the key; the PKCE verifier and the
 * interaction token are sealed, bound to the state. A state is consumed by
 * deleting its row: of two racing callbacks, exactly one gets it.
 */
export class PendingLogins {
  constructor(
    private readonly database: Database,
    private readonly box: SecretBox,
    private readonly ttlMs = PENDING_LOGIN_TTL_MS,
  ) {}

  async create(input: PendingLoginInput, now = new Date()): Promise<PendingLogin> {
    const state = randomToken();
    const codeVerifier = randomToken();
    const secrets: SealedSecrets = { codeVerifier, interactionToken: input.interactionToken, applicationId: input.applicationId, account: input.account };
    const expiresAt = new Date(now.getTime() + this.ttlMs);
    await this.database.$transaction(async (tx) => {
      // One /link of a user at a time, so the cap holds when many arrive at once.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${PENDING_LOCK_NAMESPACE}::int, hashtext(${String(input.discordUserId)}))`;
      // Keep the newest MAX-1 of this user's logins, then add this one. Expired ones are left to the sweep (takeExpired), which says so in Discord.
      const keep = await tx.pendingLogin.findMany({
        where: { discordUserId: input.discordUserId },
        orderBy: { createdAt: 'desc' },
        take: MAX_PENDING_PER_USER - 1,
        select: { state: true },
      });
      await tx.pendingLogin.deleteMany({ where: { discordUserId: input.discordUserId, state: { notIn: keep.map((k) => k.state) } } });
      await tx.pendingLogin.create({
        data: {
          state,
          discordUserId: input.discordUserId,
          guildId: input.guildId,
          scopes: input.scopes,
          keyId: this.box.keyId,
          secrets: this.box.seal(JSON.stringify(secrets), pendingLoginAssociatedData(state)),
          createdAt: now,
          expiresAt,
        },
      });
    });
    return { state, discordUserId: input.discordUserId, guildId: input.guildId, scopes: input.scopes, createdAt: now, expiresAt, ...secrets };
  }

  /**
   * Takes logins nobody came back with (the SSO callback never arrived), at
   * most `limit`: deleted like a consumed one, so of a sweep and a late
   * callback exactly one gets each. Those whose secrets do not open are
   * dropped without a login to return.
   */
  async takeExpired(options: { now?: Date; limit: number }): Promise<PendingLogin[]> {
    const now = options.now ?? new Date();
    const rows = await this.database.$queryRaw<RawPendingLogin[]>`
      DELETE FROM pending_login WHERE state IN (
        SELECT state FROM pending_login WHERE expires_at < ${now} ORDER BY expires_at LIMIT ${options.limit} FOR UPDATE SKIP LOCKED)
      RETURNING state, discord_user_id, guild_id, scopes, key_id, secrets, created_at, expires_at`;
    return rows.map((row) => this.#tryOpen(fromRaw(row))).filter((login) => login !== undefined);
  }

  /** Reads a login without consuming it (the short redirect URL needs its challenge). */
  async peek(state: string, now = new Date()): Promise<PeekResult> {
    const row = await this.database.pendingLogin.findUnique({ where: { state } });
    if (!row) return { status: 'unknown' };
    if (row.expiresAt <= now) return { status: 'expired', guildId: row.guildId };
    const login = this.#open(row);
    return { status: 'ok', login, challenge: codeChallenge(login.codeVerifier) };
  }

  /** Takes the login for this state, once. */
  async consume(state: string, now = new Date()): Promise<ConsumeResult> {
    const rows = await this.database.$queryRaw<RawPendingLogin[]>`
      DELETE FROM pending_login WHERE state = ${state}
      RETURNING state, discord_user_id, guild_id, scopes, key_id, secrets, created_at, expires_at`;
    const row = rows[0];
    if (!row) return { status: 'unknown' };
    if (row.expires_at <= now) return { status: 'expired', login: this.#tryOpen(fromRaw(row)) };
    return { status: 'ok', login: this.#open(fromRaw(row)) };
  }

  /** An expired login is only told about: one whose secrets do not open (another key) is not worth an error. */
  #tryOpen(row: Row): PendingLogin | undefined {
    try {
      return this.#open(row);
    } catch (error) {
      if (error instanceof SecretBoxError) return undefined;
      throw error;
    }
  }

  #open(row: Row): PendingLogin {
    const secrets = JSON.parse(this.box.open(row.secrets, pendingLoginAssociatedData(row.state), row.keyId)) as SealedSecrets;
    return { state: row.state, discordUserId: row.discordUserId, guildId: row.guildId, scopes: row.scopes, createdAt: row.createdAt, expiresAt: row.expiresAt, ...secrets };
  }
}

interface Row {
  state: string;
  discordUserId: bigint;
  guildId: bigint | null;
  scopes: string[];
  keyId: string;
  secrets: Uint8Array;
  createdAt: Date;
  expiresAt: Date;
}

interface RawPendingLogin {
  state: string;
  discord_user_id: bigint;
  guild_id: bigint | null;
  scopes: string[];
  key_id: string;
  secrets: Uint8Array;
  created_at: Date;
  expires_at: Date;
}

function fromRaw(row: RawPendingLogin): Row {
  return {
    state: row.state,
    discordUserId: row.discord_user_id,
    guildId: row.guild_id,
    scopes: row.scopes,
    keyId: row.key_id,
    secrets: row.secrets,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

/** What binds a pending login's secrets to its state (also for re-sealing them with a new key). */
export function pendingLoginAssociatedData(state: string): string {
  return `pending-login:${state}`;
}
