import type { LinkedCharacter } from './types.ts';

const HOUR_MS = 3_600_000;

/**
 * When a dead login stops counting for rules, or null while it is alive.
 * A dead login without a known death time gets no grace (the epoch): we
 * cannot tell how long it has been dead, and a fresh grace on every run
 * would keep its roles forever.
 */
export function graceEndsAt(character: LinkedCharacter, graceHours: number): Date | null {
  if (character.login !== 'dead') return null;
  if (character.deadSince === null) return new Date(0);
  return new Date(character.deadSince.getTime() + Math.max(0, graceHours) * HOUR_MS);
}

/** Whether the character counts for rules at `now`: alive (ok or missing scopes), or dead but still within its grace. */
export function countsForRules(character: LinkedCharacter, graceHours: number, now: Date): boolean {
  const end = graceEndsAt(character, graceHours);
  return end === null || now.getTime() < end.getTime();
}

/** Dead, but still counting: the member keeps their roles until the grace ends. */
export function isInGrace(character: LinkedCharacter, graceHours: number, now: Date): boolean {
  return character.login === 'dead' && countsForRules(character, graceHours, now);
}
