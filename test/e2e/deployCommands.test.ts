import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { npmScriptArguments } from '../support/botProcess.ts';
import { TestBed } from '../support/testBed.ts';

function deployCommands(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, npmScriptArguments('deploy-commands'), {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run deploy-commands', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await TestBed.start({ startBot: false });
  });
  afterAll(async () => {
    await bed?.stop();
  });

  it('given DISCORD_GUILD_ID, then the commands are registered in that guild even when unchanged, and the bot then skips it', async () => {
    const guildId = bed.discord.guildIds[0]!;
    const env = { ...bed.env, DISCORD_GUILD_ID: guildId };
    for (const run of [1, 2]) {
      const result = await deployCommands(env);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`Registered \\d+ commands in guild ${guildId}`));
      expect(bed.discord.commandRegistrations).toBe(run);
    }
    const names = (bed.discord.commands(guildId) as { name: string }[]).map((c) => c.name);
    expect(names).toContain('help');
    expect(bed.discord.commands('global')).toBeUndefined();

    // The bot's own start finds the same hash and registers nothing.
    await bed.startBot({ DISCORD_GUILD_ID: guildId });
    expect(bed.discord.commandRegistrations).toBe(2);
  });
});
