import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/db/secretBox.ts';
import { JWKS_COOLDOWN_MS } from '../../src/eve/jwt.ts';
import { openRefreshToken } from '../../src/links/grantSecrets.ts';
import { CORP, linkCharacter } from '../support/linking.ts';
import { TestBed } from '../support/testBed.ts';

/**
 * The SSO rotates refresh tokens strictly (the fake spends each one it
 * answers 200 to). When the access token of that answer cannot be verified
 * for a passing reason (the key server down or slow, a key CCP has not
 * published yet), the login must survive: the new refresh token is kept, the
 * spent one never sent again, and the next command works.
 */
describe('a refresh whose access token cannot be verified', () => {
  let bed: TestBed;
  let box: SecretBox;
  let nextCharacter = 90000400;
  let nextUser = 200000000000000400n;

  beforeAll(async () => {
    bed = await TestBed.start();
    box = new SecretBox(bed.env.TOKEN_ENCRYPTION_KEY!);
    bed.eve.addCorporation({ id: CORP.id, name: CORP.name, ticker: CORP.ticker });
  });
  afterAll(async () => {
    await bed?.stop();
  });

  async function linkedPilot(name: string) {
    const id = (nextCharacter += 1);
    const user = String((nextUser += 1n));
    bed.eve.addCharacter({ id, name, corporationId: CORP.id, wallet: 4_242.5 });
    expect((await linkCharacter(bed, user, id)).page.status).toBe(200);
    // The access token is due for a refresh.
    await bed.db.grant.update({ where: { characterId: BigInt(id) }, data: { accessTokenExpiresAt: new Date(0) } });
    return { id, user };
  }

  const wallet = async (user: string) => {
    const interaction = await bed.discord.sendCommand({ name: 'wallet', userId: user });
    const reply = await interaction.waitForReply((r) => !r.loading, 20_000);
    return `${reply.content ?? ''}${JSON.stringify(reply.embeds ?? [])}`;
  };
  const refreshesOf = (id: number) => bed.eve.tokenRequests.filter((r) => r.grantType === 'refresh_token' && r.characterId === id);
  const storedRefreshToken = async (id: number) => {
    const grant = await bed.db.grant.findUniqueOrThrow({ where: { characterId: BigInt(id) } });
    return openRefreshToken(box, BigInt(id), grant.refreshToken, grant.keyId);
  };

  async function expectLoginSurvived(id: number, user: string) {
    const grant = await bed.db.grant.findUniqueOrThrow({ where: { characterId: BigInt(id) } });
    expect(grant.status).toBe('ok');
    // The refresh token stored is the one the SSO's last 200 issued; no spent token was sent again.
    const refreshes = refreshesOf(id);
    expect(refreshes.every((r) => r.status === 200)).toBe(true);
    expect(await storedRefreshToken(id)).toBe(refreshes.at(-1)!.issued!.refreshToken);
    expect(new Set(refreshes.map((r) => r.refreshTokenUsed)).size).toBe(refreshes.length);
    expect(bed.discord.directMessages.filter((d) => d.userId === user)).toHaveLength(0);
    expect(await bed.db.auditEvent.count({ where: { characterId: BigInt(id), kind: 'grant_invalid' } })).toBe(0);
  }

  it('given the JWKS answering 503 during the refresh, then the login stays, and the next /wallet works', async () => {
    const { id, user } = await linkedPilot('Jay Fivehundred');
    await bed.eve.rotateSigningKey(); // the refreshed token names a kid the bot has not fetched yet
    await sleep(JWKS_COOLDOWN_MS + 100);
    const jwksBefore = bed.eve.jwksRequests;
    bed.eve.sso.failJwksNext({ status: 503 }, 1);

    expect(await wallet(user)).toMatch(/EVE login server is not answering right now; the login is safe/);
    expect(bed.eve.jwksRequests).toBe(jwksBefore + 1); // the 503 was served
    expect(refreshesOf(id)).toHaveLength(1);
    await expectLoginSurvived(id, user);

    expect(await wallet(user)).toContain('4.24k ISK');
    expect(refreshesOf(id)).toHaveLength(2);
    await expectLoginSurvived(id, user);
  });

  it('given the JWKS not answering during the refresh, then the login stays, and the next /wallet works', async () => {
    const { id, user } = await linkedPilot('Tim Timeout');
    await bed.eve.rotateSigningKey();
    await sleep(JWKS_COOLDOWN_MS + 100);
    bed.eve.sso.failJwksNext('timeout', 1);

    expect(await wallet(user)).toMatch(/EVE login server is not answering right now; the login is safe/);
    await expectLoginSurvived(id, user);

    expect(await wallet(user)).toContain('4.24k ISK');
    await expectLoginSurvived(id, user);
  });

  it('given a token signed with a key the JWKS does not list yet, then the login stays, and once it is published the next /wallet works', async () => {
    const { id, user } = await linkedPilot('Kid Unknown');
    await bed.eve.rotateSigningKey('RS256', { publish: false });
    await sleep(JWKS_COOLDOWN_MS + 100);

    expect(await wallet(user)).toMatch(/EVE login server is not answering right now; the login is safe/);
    await expectLoginSurvived(id, user);

    bed.eve.publishSigningKey();
    await sleep(JWKS_COOLDOWN_MS + 100);
    expect(await wallet(user)).toContain('4.24k ISK');
    await expectLoginSurvived(id, user);
  });
});
