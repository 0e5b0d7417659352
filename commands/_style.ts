/**
 * What an embed's colour means, the same in every reply: green all good,
 * amber something needs attention, red a dead login or a refusal.
 */
import { characterPortraitUrl } from '../src/eve/images.ts';

export const COLOURS = {
  ok: 0x57f287,
  attention: 0xf0b232,
  problem: 0xed4245,
  /** neutral information (help, a question) */
  info: 0x5865f2,
} as const;

export type Tone = keyof typeof COLOURS;

/** The worst of several tones: one dead login makes the whole reply red. */
export function worstTone(...tones: Tone[]): Tone {
  if (tones.includes('problem')) return 'problem';
  if (tones.includes('attention')) return 'attention';
  if (tones.includes('ok')) return 'ok';
  return 'info';
}

/** A linked character's login health as a tone. */
export function healthTone(health: 'ok' | 'invalid' | 'missing_scopes'): Tone {
  return health === 'ok' ? 'ok' : health === 'invalid' ? 'problem' : 'attention';
}

/** The embed thumbnail where one character is the subject of a reply. */
export const portrait = (characterId: bigint | number | string) => ({ url: characterPortraitUrl(characterId, 64) });
