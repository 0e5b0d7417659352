import { recordEvent } from '../db/auditEvents.ts';
import type { Database } from '../db/client.ts';
import type { SecretBox } from '../db/secretBox.ts';
import type { SsoClient } from '../eve/sso.ts';
import type { Logger } from '../log.ts';
import { UserFacingError } from '../errors.ts';
import { parseId } from '../ids.ts';
import { openRefreshToken } from './grantSecrets.ts';
import { grantHealth, type GrantHealth } from './grantHealth.ts';
import { ensureMain } from './mainCharacter.ts';

export type { GrantHealth } from './grantHealth.ts';

export interface LinkedCharacter {
  id: bigint;
  name: string;
  corporationId: bigint | null;
  allianceId: bigint | null;
  isMain: boolean;
  linkedAt: Date;
  health: GrantHealth;
  missingScopes: string[];
  invalidReason: string | null;
}

export class NotYourCharacterError extends UserFacingError {
  constructor() {
    super('You have no linked character like that. Use /characters to see yours.');
  }
}

/** A user's linked characters: list, choose the main, unlink. Every call is scoped to the asking user. */
export class CharacterService {
  constructor(
    private readonly options: {
      database: Database;
      box: SecretBox;
      sso: SsoClient;
      logger: Logger;
      requiredScopes: string[];
      /** a user's characters changed (main, unlink): their roles may change */
      onCharactersChanged?: (discordUserId: bigint) => void;
    },
  ) {}

  async list(discordUserId: bigint): Promise<LinkedCharacter[]> {
    const user = await this.options.database.discordUser.findUnique({
      where: { id: discordUserId },
      select: {
        mainCharacterId: true,
        characters: {
          orderBy: { name: 'asc' },
          select: {
            id: true,
            name: true,
            corporationId: true,
            allianceId: true,
            linkedAt: true,
            grant: { select: { status: true, scopes: true, invalidReason: true } },
          },
        },
      },
    });
    if (!user) return [];
    const characters = user.characters.map((c) => {
      const { health, missingScopes } = grantHealth(c.grant, this.options.requiredScopes);
      return {
        id: c.id,
        name: c.name,
        corporationId: c.corporationId,
        allianceId: c.allianceId,
        isMain: c.id === user.mainCharacterId,
        linkedAt: c.linkedAt,
        health,
        missingScopes,
        invalidReason: c.grant?.invalidReason ?? null,
      };
    });
    return characters.sort((a, b) => Number(b.isMain) - Number(a.isMain));
  }

  /** For autocomplete: the user's own characters whose name contains the text, at most 25. */
  async search(discordUserId: bigint, text: string): Promise<{ id: bigint; name: string }[]> {
    return this.options.database.character.findMany({
      where: { discordUserId, name: { contains: text.trim(), mode: 'insensitive' } },
      select: { id: true, name: true },
      orderBy: { name: 'asc' },
      take: 25,
    });
  }

  /** Resolves an option value (a character id from autocomplete, or a typed name) to one of the user's characters. */
  async resolve(discordUserId: bigint, value: string): Promise<{ id: bigint; name: string }> {
    const trimmed = value.trim();
    const id = parseId(trimmed);
    const byId = id === undefined ? undefined : { id };
    const found = await this.options.database.character.findFirst({
      where: { discordUserId, OR: [...(byId ? [byId] : []), { name: { equals: trimmed, mode: 'insensitive' } }] },
      select: { id: true, name: true },
    });
    if (!found) throw new NotYourCharacterError();
    return found;
  }

  async setMain(discordUserId: bigint, characterId: bigint, guildId: bigint | null): Promise<{ name: string }> {
    const character = await this.options.database.$transaction(async (tx) => {
      const character = await tx.character.findFirst({ where: { id: characterId, discordUserId }, select: { name: true } });
      if (!character) throw new NotYourCharacterError();
      await tx.discordUser.update({ where: { id: discordUserId }, data: { mainCharacterId: characterId } });
      await recordEvent(tx, { kind: 'main_changed', guildId, discordUserId, characterId, detail: { name: character.name } });
      return character;
    });
    this.options.onCharactersChanged?.(discordUserId);
    return character;
  }

  /**
   * Deletes the grant and the link, then revokes the refresh token at the SSO
   * (best effort: a failure there does not keep the link).
   */
  async unlink(discordUserId: bigint, characterId: bigint, guildId: bigint | null): Promise<{ name: string; revoked: boolean }> {
    const removed = await this.options.database.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${characterId})`;
      const character = await tx.character.findFirst({
        where: { id: characterId, discordUserId },
        select: { name: true, grant: { select: { refreshToken: true, keyId: true } } },
      });
      if (!character) throw new NotYourCharacterError();
      await tx.character.delete({ where: { id: characterId } });
      await ensureMain(tx, discordUserId);
      await recordEvent(tx, { kind: 'unlinked', guildId, discordUserId, characterId, detail: { name: character.name } });
      return character;
    });

    let revoked = false;
    if (removed.grant) {
      try {
        const refreshToken = openRefreshToken(this.options.box, characterId, removed.grant.refreshToken, removed.grant.keyId);
        await this.options.sso.revoke(refreshToken);
        revoked = true;
      } catch (error) {
        this.options.logger.warn({ err: error, characterId: String(characterId) }, 'token revocation failed (the link is removed anyway)');
      }
    }
    this.options.logger.info({ characterId: String(characterId), discordUserId: String(discordUserId), revoked }, 'character unlinked');
    this.options.onCharactersChanged?.(discordUserId);
    return { name: removed.name, revoked };
  }
}
