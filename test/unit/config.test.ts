import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_EVE_SCOPES, loadConfig } from '../../src/config.ts';

const valid = {
  DISCORD_TOKEN: `MTIzNDU2Nzg5MDEyMzQ1Njc4.${'a'.repeat(6)}.${'b'.repeat(38)}`,
  EVE_CLIENT_ID: '0123456789abcdef0123456789abcdef',
  EVE_CLIENT_SECRET: 'secret-secret-secret-secret',
  EVE_CALLBACK_URL: 'https://bot.example.org/sso/callback',
  ESI_CONTACT: 'admin@example.org',
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/evebot',
  TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
};

/** The problems loadConfig lists for the valid variables plus `env` (none: an empty list). */
function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...valid, ...env });
  } catch (error) {
    return (error as ConfigError).problems;
  }
  return [];
}

describe('loadConfig', () => {
  it('given the required variables, then defaults fill the rest', () => {
    const config = loadConfig(valid);
    expect(config.DISCORD_API_URL).toBe('https://discord.com/api');
    expect(config.EVE_SSO_URL).toBe('https://login.eveonline.com');
    expect(config.ESI_URL).toBe('https://esi.evetech.net');
    expect(config.HTTP_HOST).toBe('0.0.0.0');
    expect(config.HTTP_PORT).toBe(3000);
    expect(config.LOG_LEVEL).toBe('info');
    expect(config.LOG_FORMAT).toBe('json');
    expect(config.EVE_SCOPES).toEqual([...DEFAULT_EVE_SCOPES]);
    expect(config.DISCORD_GUILD_ID).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('given gateway shards, then auto by default, a sorted list with its count, and one clear line for each mistake', () => {
    expect(loadConfig(valid).DISCORD_SHARDS).toBe('auto');
    expect(loadConfig(valid).DISCORD_SHARD_COUNT).toBeUndefined();
    const listed = loadConfig({ ...valid, DISCORD_SHARDS: ' 3, 1,1 ', DISCORD_SHARD_COUNT: '4' });
    expect(listed.DISCORD_SHARDS).toEqual([1, 3]);
    expect(listed.DISCORD_SHARD_COUNT).toBe(4);
    expect(loadConfig({ ...valid, DISCORD_SHARD_COUNT: '2' }).DISCORD_SHARDS).toBe('auto');
    expect(problems({ DISCORD_SHARDS: '0,1' })).toEqual([expect.stringMatching(/^DISCORD_SHARD_COUNT is missing: a list in DISCORD_SHARDS needs the total/)]);
    expect(problems({ DISCORD_SHARDS: '0,2,5', DISCORD_SHARD_COUNT: '2' })).toEqual(['DISCORD_SHARDS must list ids from 0 to 1 (DISCORD_SHARD_COUNT=2); 2, 5 are not']);
    expect(problems({ DISCORD_SHARDS: 'first' })).toEqual(['DISCORD_SHARDS must be auto or shard ids separated by commas, such as 0,1 (example: DISCORD_SHARDS=0,1)']);
    expect(problems({ DISCORD_SHARDS: '-1', DISCORD_SHARD_COUNT: '0' })).toHaveLength(2);
  });

  it('given HTTP interactions, then the public key is 64 hex characters (kept lower-case), DISCORD_GATEWAY is auto or off, and off needs the key', () => {
    expect(loadConfig(valid).DISCORD_PUBLIC_KEY).toBeUndefined();
    expect(loadConfig(valid).DISCORD_GATEWAY).toBe('auto');
    const key = 'AB'.repeat(32);
    const http = loadConfig({ ...valid, DISCORD_PUBLIC_KEY: ` ${key} `, DISCORD_GATEWAY: 'off' });
    expect(http.DISCORD_PUBLIC_KEY).toBe(key.toLowerCase());
    expect(http.DISCORD_GATEWAY).toBe('off');
    expect(problems({ DISCORD_PUBLIC_KEY: 'ab'.repeat(31) })).toEqual([expect.stringMatching(/^DISCORD_PUBLIC_KEY must be the application's public key: 64 hexadecimal characters/)]);
    expect(problems({ DISCORD_PUBLIC_KEY: 'zz'.repeat(32) })).toHaveLength(1);
    expect(problems({ DISCORD_GATEWAY: 'sometimes' })).toEqual(['DISCORD_GATEWAY must be auto or off (example: DISCORD_GATEWAY=off)']);
    expect(problems({ DISCORD_GATEWAY: 'off' })).toEqual([expect.stringMatching(/^DISCORD_GATEWAY=off needs DISCORD_PUBLIC_KEY: without HTTP interactions, commands arrive over the gateway/)]);
    expect(problems({ DISCORD_PUBLIC_KEY: key, HTTP_SERVER: 'false' })).toEqual(['DISCORD_PUBLIC_KEY needs the HTTP server: Discord posts interactions to it (remove HTTP_SERVER=false)']);
    // The elected gateway process holds every shard: a list would leave the other shards' member events unheard.
    expect(problems({ DISCORD_PUBLIC_KEY: key, DISCORD_SHARDS: '0', DISCORD_SHARD_COUNT: '2' })).toEqual([expect.stringMatching(/^DISCORD_SHARDS must list every shard \(or be auto\) with DISCORD_PUBLIC_KEY: with HTTP interactions one elected process holds the whole gateway/)]);
    // A list of every shard is the whole gateway: accepted, as before.
    expect(problems({ DISCORD_PUBLIC_KEY: key, DISCORD_SHARDS: '0', DISCORD_SHARD_COUNT: '1' })).toEqual([]);
    expect(problems({ DISCORD_PUBLIC_KEY: key, DISCORD_SHARDS: '1,0', DISCORD_SHARD_COUNT: '2' })).toEqual([]);
    expect(loadConfig({ ...valid, DISCORD_PUBLIC_KEY: key, DISCORD_SHARD_COUNT: '2' }).DISCORD_SHARD_COUNT).toBe(2);
  });

  it('given HTTP_SERVER, then an HTTP server by default, false turns it off, and anything else is one clear line', () => {
    expect(loadConfig(valid).HTTP_SERVER).toBe(true);
    expect(loadConfig({ ...valid, HTTP_SERVER: 'false' }).HTTP_SERVER).toBe(false);
    expect(() => loadConfig({ ...valid, HTTP_SERVER: 'off' })).toThrow(/HTTP_SERVER must be true or false \(example: HTTP_SERVER=false\)/);
  });

  it('given SHARDS_PER_PROCESS, then 1 by default, a whole number from 1, and one clear line otherwise', () => {
    expect(loadConfig(valid).SHARDS_PER_PROCESS).toBe(1);
    expect(loadConfig({ ...valid, SHARDS_PER_PROCESS: '4' }).SHARDS_PER_PROCESS).toBe(4);
    expect(() => loadConfig({ ...valid, SHARDS_PER_PROCESS: '0' })).toThrow(/SHARDS_PER_PROCESS must be at least 1 \(example: SHARDS_PER_PROCESS=1\)/);
    expect(() => loadConfig({ ...valid, SHARDS_PER_PROCESS: '1.5' })).toThrow(/SHARDS_PER_PROCESS must be a whole number of shards/);
  });

  it('given previous encryption keys, then a list of them; a malformed one is refused and they are secrets', async () => {
    const old = [Buffer.alloc(32, 1).toString('base64'), Buffer.alloc(32, 2).toString('base64')];
    const config = loadConfig({ ...valid, TOKEN_ENCRYPTION_OLD_KEYS: ` ${old[0]} ,${old[1]},` });
    expect(config.TOKEN_ENCRYPTION_OLD_KEYS).toEqual(old);
    expect(loadConfig(valid).TOKEN_ENCRYPTION_OLD_KEYS).toEqual([]);
    expect(() => loadConfig({ ...valid, TOKEN_ENCRYPTION_OLD_KEYS: `${old[0]},tooshort` })).toThrow(/TOKEN_ENCRYPTION_OLD_KEYS/);
    const { secretValues } = await import('../../src/config.ts');
    expect(secretValues(config)).toEqual(expect.arrayContaining(old));
  });

  it('given overrides, then they are parsed and trailing slashes dropped', () => {
    const config = loadConfig({
      ...valid,
      DISCORD_API_URL: 'http://127.0.0.1:9999/api/',
      HTTP_PORT: '8080',
      EVE_SCOPES: 'esi-wallet.read_character_wallet.v1  esi-skills.read_skills.v1',
      DISCORD_GUILD_ID: '123456789012345678',
    });
    expect(config.DISCORD_API_URL).toBe('http://127.0.0.1:9999/api');
    expect(config.HTTP_PORT).toBe(8080);
    expect(config.EVE_SCOPES).toEqual(['esi-wallet.read_character_wallet.v1', 'esi-skills.read_skills.v1']);
  });

  it('given missing and invalid variables, then one error lists every problem with an example, and no value', () => {
    let error: unknown;
    try {
      loadConfig({ ...valid, DISCORD_TOKEN: '', EVE_CLIENT_ID: undefined, TOKEN_ENCRYPTION_KEY: 'c2hvcnQ=', HTTP_PORT: 'eighty', EVE_CALLBACK_URL: 'not a url' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems).toHaveLength(5);
    expect(message).toMatch(/DISCORD_TOKEN is missing \(example: DISCORD_TOKEN=/);
    expect(message).toMatch(/EVE_CLIENT_ID is missing/);
    expect(message).toMatch(/TOKEN_ENCRYPTION_KEY must be 32 random bytes in base64/);
    expect(message).toMatch(/HTTP_PORT must be a port number/);
    expect(message).toMatch(/EVE_CALLBACK_URL must be an http\(s\) URL/);
    expect(message).not.toContain('c2hvcnQ=');
  });

  it('given an https EVE_CALLBACK_URL, or http on a loopback host, then it is accepted', () => {
    for (const url of [
      'https://bot.example.org/sso/callback',
      'https://203.0.113.7:8443/cb',
      'http://127.0.0.1:3000/sso/callback',
      'http://127.45.6.7/sso/callback',
      'http://127.1:3000/cb', // the URL parser's 127.0.0.1
      'http://[::1]:3000/sso/callback',
      'http://[0:0:0:0:0:0:0:1]/cb', // the URL parser's [::1]
      'http://localhost:3000/sso/callback',
      'http://LOCALHOST/cb',
    ]) {
      expect(loadConfig({ ...valid, EVE_CALLBACK_URL: url }).EVE_CALLBACK_URL, url).toBe(url.replace(/\/+$/, ''));
    }
  });

  it('given a plain http EVE_CALLBACK_URL off this machine, then the start fails with one line that says why, without the value', () => {
    for (const url of [
      'http://evebot.example.net/sso/callback',
      'http://10.1.2.3:3000/cb',
      'http://0.0.0.0:3000/cb',
      'http://[::2]/cb',
      'http://127.0.0.1.evebot.example.net/cb',
      'http://localhost.evebot.example.net/cb',
      'http://128.0.0.1/cb',
    ]) {
      let error: unknown;
      try {
        loadConfig({ ...valid, EVE_CALLBACK_URL: url });
      } catch (e) {
        error = e;
      }
      expect(error, url).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems, url).toEqual([
        'EVE_CALLBACK_URL must be https (browsers send the login code to it) unless it is on this machine (127.0.0.1, [::1], localhost) (example: EVE_CALLBACK_URL=https://bot.example.org/sso/callback)',
      ]);
      expect((error as ConfigError).message, url).not.toContain(new URL(url).host);
    }
  });

  it('given plain http EVE_SSO_URL or ESI_URL off this machine, then the start fails saying what would cross the network; on this machine it is accepted', () => {
    expect(() => loadConfig({ ...valid, EVE_SSO_URL: 'http://login.example.net', ESI_URL: 'http://esi.example.net' })).toThrow(
      /EVE_SSO_URL must be https \(the client secret and refresh tokens go to it\)[\s\S]*ESI_URL must be https \(access tokens go to it\)/,
    );
    expect(loadConfig({ ...valid, EVE_SSO_URL: 'http://127.0.0.1:4000', ESI_URL: 'http://localhost:4001' })).toMatchObject({ EVE_SSO_URL: 'http://127.0.0.1:4000', ESI_URL: 'http://localhost:4001' });
  });

  it('given an http callback URL among other problems, then every problem is listed', () => {
    expect(() => loadConfig({ ...valid, EVE_CALLBACK_URL: 'http://evebot.example.net/cb', HTTP_PORT: 'eighty' })).toThrow(
      /EVE_CALLBACK_URL must be https[^\n]*\n.*HTTP_PORT must be a port number/,
    );
  });

  it('given LOG_FORMAT, then json or pretty, and a clear error otherwise', () => {
    expect(loadConfig({ ...valid, LOG_FORMAT: 'pretty' }).LOG_FORMAT).toBe('pretty');
    expect(loadConfig({ ...valid, LOG_FORMAT: 'json' }).LOG_FORMAT).toBe('json');
    expect(() => loadConfig({ ...valid, LOG_FORMAT: 'xml' })).toThrow('LOG_FORMAT must be json or pretty (example: LOG_FORMAT=pretty)');
  });

  it('given DISCORD_MEMBERS_INTENT, then false by default, true only for "true", and a clear error otherwise', () => {
    expect(loadConfig(valid).DISCORD_MEMBERS_INTENT).toBe(false);
    expect(loadConfig({ ...valid, DISCORD_MEMBERS_INTENT: 'true' }).DISCORD_MEMBERS_INTENT).toBe(true);
    expect(loadConfig({ ...valid, DISCORD_MEMBERS_INTENT: 'false' }).DISCORD_MEMBERS_INTENT).toBe(false);
    expect(() => loadConfig({ ...valid, DISCORD_MEMBERS_INTENT: 'yes' })).toThrow(/DISCORD_MEMBERS_INTENT must be true or false/);
  });
});
