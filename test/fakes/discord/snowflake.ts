// Snowflakes and tokens that look like Discord's, so code that validates ids
// (17-20 digits) or decodes the bot id from the token keeps working.
import { randomBytes } from 'node:crypto';

export const DISCORD_EPOCH = 1420070400000n;

let increment = 0n;
let lastMs = 0n;

/** A fresh, strictly increasing snowflake string (timestamp-based like Discord's). */
export function nextSnowflake(): string {
  let ms = BigInt(Date.now());
  // Keep ids increasing even if two are made in the same ms or the clock steps back.
  if (ms < lastMs) ms = lastMs;
  if (ms === lastMs) {
    increment = (increment + 1n) & 0xfffn;
    if (increment === 0n) ms += 1n;
  } else {
    increment = 0n;
  }
  lastMs = ms;
  return (((ms - DISCORD_EPOCH) << 22n) | (1n << 17n) | (1n << 12n) | increment).toString();
}

/** Which shard owns a guild: (guild_id >> 22) % shard_count, as Discord documents. */
export function shardForGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/** Bot token: base64(user id) . base64(timestamp) . random, like a real one (> 50 chars). */
export function makeBotToken(botUserId: string): string {
  const first = Buffer.from(botUserId).toString('base64').replace(/=+$/, '');
  const second = Buffer.from(String(Math.floor(Date.now() / 1000))).toString('base64url').slice(0, 6);
  return `${first}.${second}.${randomBytes(28).toString('base64url')}`;
}

/** Interaction tokens are long opaque strings; the fake keys webhooks on them. */
export function makeInteractionToken(interactionId: string): string {
  return Buffer.from(`interaction:${interactionId}:${randomBytes(96).toString('base64url')}`).toString('base64url');
}
