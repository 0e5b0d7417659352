import { expect } from 'vitest';
import { TestBed, type TestBedOptions } from './testBed.ts';

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

/** The confirmation form of a callback page, as a browser reads it: where it posts and its one-time value. */
export function confirmationForm(html: string): { action: string; value: string } {
  const action = /<form method="post" action="([^"]+)">/.exec(html)?.[1];
  const value = /<input type="hidden" name="confirmation" value="([^"]+)">/.exec(html)?.[1];
  if (!action || !value) throw new Error(`no confirmation form in the page:\n${html.slice(0, 2000)}`);
  return { action, value };
}

/** Presses Confirm or Cancel on a confirmation page (a form post, as a browser sends it). */
export async function answerConfirmation(pageUrl: string, form: { action: string; value: string }, action: 'confirm' | 'cancel') {
  const page = await fetch(new URL(form.action, pageUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ confirmation: form.value, action }).toString(),
  });
  return { page, html: await page.text() };
}

/**
 * The whole link flow for one user and character: /link, SSO, callback, and
 * Confirm on the confirmation page; returns the last page.
 */
export async function linkCharacter(bed: TestBed, userId: string, characterId: number, options: { guildId?: string } = {}) {
  bed.eve.nextLogin(characterId);
  const interaction = await bed.discord.sendCommand({ name: 'link', userId, ...(options.guildId ? { guildId: options.guildId } : {}) });
  const reply = await interaction.waitForReply();
  const callback = await followToCallback(buttonUrl(reply));
  const callbackPage = await fetch(callback);
  const callbackHtml = await callbackPage.text();
  if (callbackPage.status !== 200) return { interaction, page: callbackPage, html: callbackHtml, callback };
  const { page, html } = await answerConfirmation(callback, confirmationForm(callbackHtml), 'confirm');
  return { interaction, page, html, callback };
}

/**
 * A started test bed in which one user has linked these pilots, all in
 * CORP: the arrangement of tests about what happens to linked logins.
 */
export async function bedWithLinkedPilots(userId: string, pilots: readonly { id: number; name: string; wallet: number }[], options: TestBedOptions = {}): Promise<TestBed> {
  const bed = await TestBed.start(options);
  try {
    bed.eve.addCorporation({ id: CORP.id, name: CORP.name, ticker: CORP.ticker });
    for (const pilot of pilots) {
      bed.eve.addCharacter({ ...pilot, corporationId: CORP.id });
      await linkCharacter(bed, userId, pilot.id);
    }
    return bed;
  } catch (error) {
    await bed.stop().catch(() => undefined);
    throw error;
  }
}
