import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { childEnvironment, shardGroups } from '../../src/bot/shardLauncher.ts';

const config = (env: Record<string, string> = {}) =>
  loadConfig({
    DISCORD_TOKEN: `MTIzNDU2Nzg5MDEyMzQ1Njc4.${'a'.repeat(6)}.${'b'.repeat(38)}`,
    EVE_CLIENT_ID: '0123456789abcdef0123456789abcdef',
    EVE_CLIENT_SECRET: 'secret-secret-secret-secret',
    EVE_CALLBACK_URL: 'https://bot.example.org/sso/callback',
    ESI_CONTACT: 'admin@example.org',
    TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    ...env,
  });

describe('the sharded launcher', () => {
  it('given shard ids and SHARDS_PER_PROCESS, then groups of that many, in order, the last one shorter', () => {
    expect(shardGroups([0, 1, 2, 3, 4], 2)).toEqual([[0, 1], [2, 3], [4]]);
    expect(shardGroups([0, 1], 1)).toEqual([[0], [1]]);
    expect(shardGroups([3, 5, 8], 10)).toEqual([[3, 5, 8]]);
  });

  it('given a group, then the child is told its shard ids and the real total (for the bot and for discord.js), and only the first serves HTTP', () => {
    expect(childEnvironment(config(), [0, 1], 0, 4)).toEqual({ DISCORD_SHARDS: '0,1', DISCORD_SHARD_COUNT: '4', SHARDS: '[0,1]', SHARD_COUNT: '4', HTTP_SERVER: 'true' });
    expect(childEnvironment(config(), [2, 3], 1, 4)).toMatchObject({ DISCORD_SHARDS: '2,3', SHARDS: '[2,3]', HTTP_SERVER: 'false' });
    expect(childEnvironment(config({ HTTP_SERVER: 'false' }), [0], 0, 1).HTTP_SERVER).toBe('false');
  });

  it('given METRICS_PORT, then each child serves its own metrics on the next port; 0 (any free port) is left as the launcher\'s, which the children inherit', () => {
    expect(childEnvironment(config({ METRICS_PORT: '9464' }), [2], 2, 3).METRICS_PORT).toBe('9466');
    expect(childEnvironment(config({ METRICS_PORT: '0' }), [2], 2, 3).METRICS_PORT).toBeUndefined();
    expect(childEnvironment(config(), [2], 2, 3).METRICS_PORT).toBeUndefined();
  });

  it('given package.json, then npm run start:sharded runs node with the flags of npm start (the children get the launcher\'s) and builds first as npm start does', () => {
    const { scripts } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
    const flags = (script: string) => scripts[script]!.split(/\s+/).filter((arg) => arg.startsWith('--'));
    expect(flags('start:sharded')).toEqual(flags('start'));
    expect(scripts['start:sharded']).toMatch(/ dist\/src\/shardedMain\.js$/);
    expect(scripts['prestart:sharded']).toBe(scripts.prestart);
  });
});
