import { shortenTo, textLength } from './textLength.ts';
import type { LinkedCharacter } from './types.ts';

/** Discord's nickname limit. */
export const NICKNAME_MAX = 32;

export const NICKNAME_PLACEHOLDERS = ['character_name', 'corp_ticker', 'alliance_ticker', 'alliance_or_corp_ticker'] as const;
export type NicknamePlaceholder = (typeof NICKNAME_PLACEHOLDERS)[number];

const PLACEHOLDER = /\{([^{}]*)\}/g;
/** Stands for the character name while the rest is laid out; EVE names cannot contain it. */
const NAME_MARK = '\u0000';
/** A bracket pair left empty by a missing ticker: "[] Name" must read "Name". */
const EMPTY_BRACKETS = /\[\s*\]|\(\s*\)|\{\s*\}|<\s*>/g;

function isPlaceholder(name: string): name is NicknamePlaceholder {
  return (NICKNAME_PLACEHOLDERS as readonly string[]).includes(name);
}

type NicknameSource = Pick<LinkedCharacter, 'name' | 'corporationTicker' | 'allianceTicker'>;

function placeholderValue(name: NicknamePlaceholder, character: NicknameSource): string {
  switch (name) {
    case 'character_name':
      return NAME_MARK;
    case 'corp_ticker':
      return character.corporationTicker ?? '';
    case 'alliance_ticker':
      return character.allianceTicker ?? '';
    case 'alliance_or_corp_ticker':
      // A character outside any alliance still shows where it belongs.
      return character.allianceTicker || character.corporationTicker || '';
  }
}

/** Runs of whitespace become one space and the ends are trimmed, so a missing ticker leaves no gap. */
function tidy(text: string): string {
  return text.replace(EMPTY_BRACKETS, '').replace(/\s+/g, ' ').trim();
}

/**
 * The nickname `template` gives `character`, at most 32 units long.
 * Too long: only the character name is shortened (ending in "…"), because
 * tickers and the guild's fixed text are what the template is for; when
 * they alone leave no room for the name, the nickname is the name itself.
 * Unknown placeholders stay as written (validateTemplate reports them).
 */
export function renderNickname(template: string, character: NicknameSource): string {
  const name = character.name.replaceAll(NAME_MARK, '');
  const laidOut = tidy(template.replaceAll(NAME_MARK, '').replace(PLACEHOLDER, (whole, key: string) => (isPlaceholder(key) ? placeholderValue(key, character) : whole)));
  const fixedParts = laidOut.split(NAME_MARK);
  const nameCount = fixedParts.length - 1;
  const fixedLength = fixedParts.reduce((sum, part) => sum + textLength(part), 0);
  const fallback = shortenTo(name, NICKNAME_MAX);

  if (laidOut === '') return fallback;
  if (fixedLength + nameCount * textLength(name) <= NICKNAME_MAX) return fixedParts.join(name);
  if (nameCount === 0) return fallback;

  const room = Math.floor((NICKNAME_MAX - fixedLength) / nameCount);
  const shortName = shortenTo(name, room);
  // A name reduced to "…" (or nothing) names nobody: better the bare name than the tickers alone.
  if (textLength(shortName) <= 1) return fallback;
  return fixedParts.join(shortName);
}

/**
 * What is wrong with a template, in words for the admin who typed it;
 * empty when it can be used.
 */
export function validateTemplate(template: string): string[] {
  const problems: string[] = [];
  const known = `{${NICKNAME_PLACEHOLDERS.join('}, {')}}`;
  const keys = [...template.matchAll(PLACEHOLDER)].map((match) => match[1]!);

  for (const key of new Set(keys.filter((candidate) => !isPlaceholder(candidate)))) {
    problems.push(`Unknown placeholder {${key}}: use ${known}.`);
  }
  if (!keys.some(isPlaceholder)) {
    problems.push(`The template has no placeholder, so every member would get the same nickname: use ${known}.`);
  }
  if (/[{}]/.test(template.replace(PLACEHOLDER, ''))) {
    problems.push('A { or } has no partner: placeholders are written like {character_name}.');
  }
  const fixedText = template.replace(PLACEHOLDER, (whole, key: string) => (isPlaceholder(key) ? '' : whole)).replace(/\s+/g, ' ').trim();
  if (textLength(fixedText) > NICKNAME_MAX) {
    problems.push(`The text around the placeholders is ${textLength(fixedText)} characters long; a nickname holds at most ${NICKNAME_MAX}.`);
  }
  return problems;
}
