import { SecretBox } from '../../src/db/secretBox.ts';
import type { InteractionHandle } from '../../test/fakes/discord/index.ts';
import { TestBed, type TestBedOptions } from '../../test/support/testBed.ts';

export const ESI_LATENCY_MS = 50;
export const CORPORATION = { id: 98000001, name: 'Bench Industries', ticker: 'BENCH' };

export async function benchBed(options: TestBedOptions = {}): Promise<{ bed: TestBed; box: SecretBox }> {
  // Profile the bot with EVEBOT_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" (see test/support/botProcess.ts).
  const bed = await TestBed.start({ ...options, env: { LOG_LEVEL: 'info', ...options.env } });
  bed.eve.addCorporation(CORPORATION);
  return { bed, box: new SecretBox(bed.env.TOKEN_ENCRYPTION_KEY!) };
}

/** Milliseconds from the interaction's dispatch to the response that showed the final answer. */
export async function finalReplyMs(handle: InteractionHandle, timeoutMs = 30_000): Promise<number> {
  await handle.waitForReply((r) => !r.loading, timeoutMs);
  return handle.responses.at(-1)!.at - handle.dispatchedAt;
}

export function replyText(handle: InteractionHandle): string {
  const reply = handle.currentReply();
  return `${reply?.content ?? ''}${JSON.stringify(reply?.embeds ?? [])}`;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ScenarioResult {
  name: string;
  rows: { metric: string; value: string; target?: string; ok?: boolean }[];
}
