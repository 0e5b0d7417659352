import type { Database, Prisma } from '../../src/db/client.ts';
import type { SecretBox } from '../../src/db/secretBox.ts';
import { sealGrantTokens } from '../../src/links/grantSecrets.ts';
import type { FakeEve } from '../../test/fakes/eve/index.ts';

export const ALL_SCOPES = [
  'esi-wallet.read_character_wallet.v1',
  'esi-skills.read_skills.v1',
  'esi-skills.read_skillqueue.v1',
  'esi-corporations.read_corporation_membership.v1',
  'esi-characters.read_corporation_roles.v1',
];

export interface SeedOptions {
  users: number;
  charactersPerUser: number;
  firstUserId: bigint;
  firstCharacterId: number;
  corporationId: number;
  /** seconds the stored access token has left; negative = expired */
  accessTtlSeconds: number;
  /** issue real tokens at the fake EVE (needed for characters a command will use); else placeholders */
  realTokens: boolean;
  /** characters' wallets at the fake */
  wallet?: number;
  /** without real tokens: still make the characters known to the fake ESI (affiliations, names) */
  knownToEsi?: boolean;
}

export interface SeededUser {
  userId: bigint;
  characterIds: number[];
}

const CHUNK = 2_000;

/** Writes users, characters and sealed grants straight into the database, the way /link leaves them. */
export async function seedLinkedUsers(db: Database, box: SecretBox, eve: FakeEve, options: SeedOptions): Promise<SeededUser[]> {
  const users: SeededUser[] = [];
  const characters: { id: bigint; name: string; ownerHash: string; corporationId: bigint; discordUserId: bigint }[] = [];
  const grants: Prisma.GrantCreateManyInput[] = [];
  let characterId = options.firstCharacterId;
  for (let u = 0; u < options.users; u += 1) {
    const userId = options.firstUserId + BigInt(u);
    const ids: number[] = [];
    for (let c = 0; c < options.charactersPerUser; c += 1, characterId += 1) {
      ids.push(characterId);
      const name = `Pilot ${characterId}`;
      let tokens = { accessToken: `placeholder-access-${characterId}`, refreshToken: `placeholder-refresh-${characterId}` };
      let ownerHash = `owner-${characterId}`;
      if (!options.realTokens && options.knownToEsi) eve.addCharacter({ id: characterId, name, corporationId: options.corporationId });
      if (options.realTokens) {
        eve.addCharacter({ id: characterId, name, corporationId: options.corporationId, wallet: options.wallet ?? 1000 });
        tokens = eve.issueTokens(characterId, ALL_SCOPES);
        ownerHash = eve.ownerHash(characterId);
      }
      const id = BigInt(characterId);
      const sealed = sealGrantTokens(box, id, tokens);
      characters.push({ id, name, ownerHash, corporationId: BigInt(options.corporationId), discordUserId: userId });
      grants.push({
        characterId: id,
        keyId: box.keyId,
        refreshToken: sealed.refreshToken,
        accessToken: sealed.accessToken,
        accessTokenExpiresAt: new Date(Date.now() + options.accessTtlSeconds * 1000),
        scopes: ALL_SCOPES,
        lastRefreshedAt: new Date(),
      });
    }
    users.push({ userId, characterIds: ids });
  }
  for (let i = 0; i < users.length; i += CHUNK) {
    await db.discordUser.createMany({ data: users.slice(i, i + CHUNK).map((u) => ({ id: u.userId })) });
  }
  for (let i = 0; i < characters.length; i += CHUNK) {
    await db.character.createMany({ data: characters.slice(i, i + CHUNK) });
    await db.grant.createMany({ data: grants.slice(i, i + CHUNK) });
  }
  // Mains, in one statement: each user's first character.
  await db.$executeRaw`
    UPDATE discord_user u SET main_character_id = c.first
    FROM (SELECT discord_user_id, MIN(id) AS first FROM character GROUP BY discord_user_id) c
    WHERE c.discord_user_id = u.id AND u.main_character_id IS NULL`;
  await db.$executeRawUnsafe('ANALYZE');
  return users;
}
