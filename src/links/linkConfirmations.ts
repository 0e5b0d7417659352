import type { Database } from '../db/client.ts';
import { SecretBoxError, type SecretBox } from '../db/secretBox.ts';
import type { DiscordAccount } from './pendingLogins.ts';
import { digest, randomToken } from './pkce.ts';

/** What the SSO gave for a login, verified, waiting for the browser's consent. */
export interface ConfirmedTokens {
  refreshToken: string;
  accessToken: string;
  accessTokenExpiresAt: Date;
  characterId: bigint;
  characterName: string;
  ownerHash: string;
  scopes: string[];
}

export interface LinkConfirmation {
  id: string;
  discordUserId: bigint;
  guildId: bigint | null;
  interactionToken: string;
  applicationId: string;
  account: DiscordAccount;
  tokens: ConfirmedTokens;
  /** SHA-256 of the login's state, remembered with a completed link; absent in confirmations made before it was kept */
  stateDigest: string | undefined;
  expiresAt: Date;
  /** how many times a sweep tried to revoke it already (and said it expired in Discord) */
  attempts: number;
}

interface Sealed {
  interactionToken: string;
  applicationId: string;
  account: DiscordAccount;
  refreshToken: string;
  accessToken: string;
  accessTokenExpiresAt: string;
  characterName: string;
  ownerHash: string;
  scopes: string[];
  stateDigest?: string;
}

interface Row {
  id: string;
  discordUserId: bigint;
  guildId: bigint | null;
  characterId: bigint;
  keyId: string;
  secrets: Uint8Array;
  expiresAt: Date;
  attempts: number;
}

export type TakeResult = { status: 'ok'; confirmation: LinkConfirmation } | { status: 'expired'; confirmation: LinkConfirmation } | { status: 'unknown' };

/** The form value is 32 random bytes, base64url; anything else is not one. */
const VALUE = /^[\w-]{43}$/;

/**
 * Logins back from the SSO that wait for the browser to confirm the Discord
 * account (login CSRF: the browser that finished the EVE login may not be the
 * one of the user who ran /link). The one-time value is only in the
 * confirmation page; the table keeps its SHA-256, so a database reader
 * cannot confirm. A value is taken by deleting its row: it works once.
 */
export class LinkConfirmations {
  constructor(
    private readonly database: Database,
    private readonly box: SecretBox,
    /** told about a confirmation whose secrets do not open (another TOKEN_ENCRYPTION_KEY) */
    private readonly onUnreadable?: (id: string, error: Error) => void,
  ) {}

  async create(input: {
    discordUserId: bigint;
    guildId: bigint | null;
    interactionToken: string;
    applicationId: string;
    account: DiscordAccount;
    tokens: ConfirmedTokens;
    stateDigest: string;
    expiresAt: Date;
  }): Promise<string> {
    const value = randomToken();
    const id = digest(value);
    const sealed: Sealed = {
      interactionToken: input.interactionToken,
      applicationId: input.applicationId,
      account: input.account,
      refreshToken: input.tokens.refreshToken,
      accessToken: input.tokens.accessToken,
      accessTokenExpiresAt: input.tokens.accessTokenExpiresAt.toISOString(),
      characterName: input.tokens.characterName,
      ownerHash: input.tokens.ownerHash,
      scopes: input.tokens.scopes,
      stateDigest: input.stateDigest,
    };
    await this.database.linkConfirmation.create({
      data: {
        id,
        discordUserId: input.discordUserId,
        guildId: input.guildId,
        characterId: input.tokens.characterId,
        keyId: this.box.keyId,
        secrets: this.box.seal(JSON.stringify(sealed), confirmationAssociatedData(id)),
        expiresAt: input.expiresAt,
        stateDigest: input.stateDigest,
      },
    });
    return value;
  }

  /** Whether the login with this state waits for its confirmation now (the callback was opened, not yet answered). */
  async waitingForState(state: string, now = new Date()): Promise<boolean> {
    const found = await this.database.linkConfirmation.findUnique({ where: { stateDigest: digest(state) }, select: { expiresAt: true } });
    return found !== null && found.expiresAt > now;
  }

  /** Takes the confirmation the form value names, once (expired ones too: their tokens must be revoked). */
  async take(value: string, now = new Date()): Promise<TakeResult> {
    if (!VALUE.test(value)) return { status: 'unknown' };
    const rows = await this.database.$queryRaw<RawRow[]>`
      DELETE FROM link_confirmation WHERE id = ${digest(value)}
      RETURNING id, discord_user_id, guild_id, character_id, key_id, secrets, expires_at, attempts`;
    if (!rows[0]) return { status: 'unknown' };
    // One that does not open (another encryption key) cannot be used, nor revoked: it is gone like an unknown one.
    const confirmation = this.#tryOpen(fromRaw(rows[0]));
    if (!confirmation) return { status: 'unknown' };
    return { status: confirmation.expiresAt <= now ? 'expired' : 'ok', confirmation };
  }

  /**
   * Claims expired confirmations for revocation (each process may sweep; a
   * claim lasts `claimMs`, so one that crashed mid-way is retried later).
   */
  async claimExpired(options: { now?: Date; claimMs: number; limit: number }): Promise<LinkConfirmation[]> {
    const now = options.now ?? new Date();
    const rows = await this.database.$queryRaw<RawRow[]>`
      UPDATE link_confirmation SET claimed_until = ${new Date(now.getTime() + options.claimMs)}, attempts = attempts + 1
       WHERE id IN (
         SELECT id FROM link_confirmation
          WHERE expires_at <= ${now} AND (claimed_until IS NULL OR claimed_until <= ${now})
          ORDER BY expires_at LIMIT ${options.limit}
          FOR UPDATE SKIP LOCKED)
      RETURNING id, discord_user_id, guild_id, character_id, key_id, secrets, expires_at, attempts`;
    const opened: LinkConfirmation[] = [];
    for (const row of rows) {
      const confirmation = this.#tryOpen(fromRaw(row));
      // One that does not open would block the sweep forever: it goes (its tokens cannot be revoked without it).
      if (confirmation) opened.push(confirmation);
      else await this.delete(row.id);
    }
    return opened;
  }

  async delete(id: string): Promise<void> {
    await this.database.linkConfirmation.deleteMany({ where: { id } });
  }

  /** The confirmation, or undefined (logged by the caller's absence of it) when its secrets do not open. */
  #tryOpen(row: Row): LinkConfirmation | undefined {
    try {
      return this.#open(row);
    } catch (error) {
      if (error instanceof SecretBoxError) {
        this.onUnreadable?.(row.id, error);
        return undefined;
      }
      throw error;
    }
  }

  #open(row: Row): LinkConfirmation {
    const sealed = JSON.parse(this.box.open(row.secrets, confirmationAssociatedData(row.id), row.keyId)) as Sealed;
    return {
      id: row.id,
      discordUserId: row.discordUserId,
      guildId: row.guildId,
      interactionToken: sealed.interactionToken,
      applicationId: sealed.applicationId,
      account: sealed.account,
      tokens: {
        refreshToken: sealed.refreshToken,
        accessToken: sealed.accessToken,
        accessTokenExpiresAt: new Date(sealed.accessTokenExpiresAt),
        characterId: row.characterId,
        characterName: sealed.characterName,
        ownerHash: sealed.ownerHash,
        scopes: sealed.scopes,
      },
      stateDigest: sealed.stateDigest,
      expiresAt: row.expiresAt,
      attempts: row.attempts,
    };
  }
}

interface RawRow {
  id: string;
  discord_user_id: bigint;
  guild_id: bigint | null;
  character_id: bigint;
  key_id: string;
  secrets: Uint8Array;
  expires_at: Date;
  attempts: number;
}

function fromRaw(row: RawRow): Row {
  return {
    id: row.id,
    discordUserId: row.discord_user_id,
    guildId: row.guild_id,
    characterId: row.character_id,
    keyId: row.key_id,
    secrets: row.secrets,
    expiresAt: row.expires_at,
    attempts: row.attempts,
  };
}

/** What binds a confirmation's secrets to its id (also for re-sealing them with a new key). */
export function confirmationAssociatedData(id: string): string {
  return `link-confirmation:${id}`;
}
