import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { npmScriptArguments, ROOT, randomEncryptionKey } from '../support/botProcess.ts';
import { bedWithLinkedPilots } from '../support/linking.ts';
import { TestBed } from '../support/testBed.ts';

const run = promisify(execFile);
const USER = '200000000000000031';
const FIRST = { id: 92100001, name: 'Rota First', wallet: 1_000_000 };
const SECOND = { id: 92100002, name: 'Rota Second', wallet: 2_000_000 };
const THIRD = { id: 92100003, name: 'Rota Third', wallet: 3_000_000 };

/**
 * Issue 14: seal with key A, start with B and old A, rotate, start with B
 * alone, and everything opens.
 */
describe('rotating TOKEN_ENCRYPTION_KEY', () => {
  let bed: TestBed;
  const keyA = randomEncryptionKey();
  const keyB = randomEncryptionKey();

  beforeAll(async () => {
    bed = await bedWithLinkedPilots(USER, [FIRST, SECOND, THIRD], { env: { TOKEN_ENCRYPTION_KEY: keyA } });
  });
  afterAll(async () => {
    await bed?.stop();
  });

  const balance = async (characterId: number) => {
    const interaction = await bed.discord.sendCommand({ name: 'wallet', userId: USER, options: [{ name: 'character', type: 3, value: String(characterId) }] });
    const reply = await interaction.waitForReply((r) => !r.loading, 20_000);
    return `${reply.content ?? ''}${JSON.stringify(reply.embeds ?? [])}`;
  };
  const keyIds = async () => (await bed.db.grant.findMany({ select: { keyId: true }, orderBy: { characterId: 'asc' } })).map((g) => g.keyId);
  const rotate = (env: Record<string, string>) =>
    run(process.execPath, npmScriptArguments('keys:rotate'), { cwd: ROOT, env: { ...process.env, ...bed.env, ...env }, timeout: 60_000 });

  it('given rows sealed with A, when the bot starts with B alone, then they do not open and the message says which key is missing', async () => {
    const [sealedWithA] = await keyIds();
    await bed.bot!.stop();
    await bed.startBot({ TOKEN_ENCRYPTION_KEY: keyB });
    const text = await balance(FIRST.id);
    expect(text).not.toContain('1,000,000');
    expect(text).toContain('cannot read its stored login for **Rota First**');
    // The log says which key the rows need (written beside the reply, so waited for).
    await bed.bot!.waitForLog((l) => JSON.stringify(l.err ?? '').includes(`sealed with key ${sealedWithA}`));
    expect(await keyIds()).toEqual([sealedWithA, sealedWithA, sealedWithA]);
  });

  it('given B and old A, then every login opens, and one used is re-sealed with B', async () => {
    await bed.bot!.stop();
    await bed.startBot({ TOKEN_ENCRYPTION_KEY: keyB, TOKEN_ENCRYPTION_OLD_KEYS: `${randomEncryptionKey()}, ${keyA}` });
    expect(await balance(FIRST.id)).toContain('1,000,000.00 ISK');
    await bed.bot!.waitForLog((l) => l.msg === 'login re-sealed with the current key');
    const [first, second, third] = await keyIds();
    expect(first).not.toBe(second);
    expect(second).toBe(third);
  });

  it('when keys:rotate runs, then it re-seals the rest in batches, says the old key can go, and a second run finds nothing', async () => {
    const env = { TOKEN_ENCRYPTION_KEY: keyB, TOKEN_ENCRYPTION_OLD_KEYS: keyA };
    const { stdout } = await rotate(env);
    expect(stdout).toMatch(/grant: 2 re-sealed, 0 unreadable/);
    expect(stdout).toContain('TOKEN_ENCRYPTION_OLD_KEYS can be removed');
    expect(stdout).not.toContain(keyA);
    expect(stdout).not.toContain(keyB);
    expect(new Set(await keyIds()).size).toBe(1);
    const again = await rotate(env);
    expect(again.stdout).toMatch(/grant: 0 re-sealed, 0 unreadable/);
  });

  it('given B alone after the rotation, then every login opens, refresh tokens included', async () => {
    await bed.bot!.stop();
    // Expired access tokens: the refresh tokens themselves must open with B.
    await bed.db.grant.updateMany({ data: { accessTokenExpiresAt: new Date(Date.now() - 60_000) } });
    await bed.startBot({ TOKEN_ENCRYPTION_KEY: keyB });
    expect(await balance(SECOND.id)).toContain('2,000,000.00 ISK');
    expect(await balance(THIRD.id)).toContain('3,000,000.00 ISK');
    expect(await balance(FIRST.id)).toContain('1,000,000.00 ISK');
  });

  it('given a row no configured key opens, then keys:rotate counts it, leaves it, and exits non-zero', async () => {
    await bed.db.grant.updateMany({ where: { characterId: THIRD.id }, data: { keyId: 'unknownkey00' } });
    const failed = await rotate({ TOKEN_ENCRYPTION_KEY: keyB, TOKEN_ENCRYPTION_OLD_KEYS: keyA }).then(
      () => undefined,
      (error: { code: number; stdout: string }) => error,
    );
    expect(failed?.code).toBe(2);
    expect(failed?.stdout).toMatch(/grant: 0 re-sealed, 1 unreadable/);
    expect((await bed.db.grant.findUnique({ where: { characterId: THIRD.id } }))?.keyId).toBe('unknownkey00');
  });
});
