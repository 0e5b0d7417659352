import type { EsiAuth } from '../client.ts';
import { toBigId } from '../ids.ts';

/** A character's access token, as the token service hands it out; each route adds the scope it needs. */
export interface CharacterAuth {
  characterId: bigint;
  accessToken: string;
}

export function withScope(auth: CharacterAuth, scope: string): EsiAuth {
  return { characterId: auth.characterId, accessToken: auth.accessToken, scope };
}

/** `{ [name]: bigint }` when the wire value is present, `{}` otherwise (optional properties stay absent) */
export function optionalId<K extends string>(name: K, value: number | undefined): { [P in K]?: bigint } {
  return (value === undefined ? {} : { [name]: toBigId(value) }) as { [P in K]?: bigint };
}

export function optional<K extends string, V>(name: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [name]: value }) as { [P in K]?: V };
}
