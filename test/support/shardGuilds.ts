import { parsePrometheusText, sampleValue } from './prometheusText.ts';

/** Two guilds whose ids put them on shard 0 and shard 1 of 2: (id >> 22) % 2. */
export const GUILD_ON_SHARD_0 = (900000000000000000n >> 23n << 23n).toString();
export const GUILD_ON_SHARD_1 = (BigInt(GUILD_ON_SHARD_0) + (1n << 22n)).toString();
export const SHARD_GUILDS = [
  { id: GUILD_ON_SHARD_0, name: 'Shard Zero Corp' },
  { id: GUILD_ON_SHARD_1, name: 'Shard One Corp' },
];

/** How many /characters the process serving /metrics on this port answered. */
export async function charactersAnsweredAt(port: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  return sampleValue(parsePrometheusText(await response.text()), 'evebot_commands_total', { command: 'characters', outcome: 'ok' }) ?? 0;
}
