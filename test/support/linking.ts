import { expect } from 'vitest';
import type { TestBed } from './testBed.ts';

export const CORP = { id: 98000001, name: 'Alpha Industries', ticker: 'ALPHA' };

/** Pulls the button URL out of a /link reply. */
export function buttonUrl(reply: { components?: any[] }): string {
  const url = reply.components?.[0]?.components?.[0]?.url;
  expect(typeof url).toBe('string');
  return url as string;
}

/**
 * Follows a link button the way a browser does: through the bot's short URL
 * (if any) and the fake SSO's authorize redirect, to the callback URL.
 */
export async function followToCallback(url: string): Promise<string> {
  let current = url;
  for (let hop = 0; hop < 4; hop += 1) {
    const answer = await fetch(current, { redirect: 'manual' });
    await answer.arrayBuffer();
    const location = answer.headers.get('location');
    if (answer.status !== 302 || !location) throw new Error(`expected a redirect from ${new URL(current).pathname}, got ${answer.status}`);
    if (new URL(location).pathname === '/sso/callback') return location;
    current = location;
  }
  throw new Error('too many redirects');
}

/** The whole link flow for one user and character: /link, SSO, callback; returns the callback answer. */
export async function linkCharacter(bed: TestBed, userId: string, characterId: number, options: { guildId?: string } = {}) {
  bed.eve.nextLogin(characterId);
  const interaction = await bed.discord.sendCommand({ name: 'link', userId, ...(options.guildId ? { guildId: options.guildId } : {}) });
  const reply = await interaction.waitForReply();
  const callback = await followToCallback(buttonUrl(reply));
  const page = await fetch(callback);
  return { interaction, page, html: await page.text(), callback };
}
