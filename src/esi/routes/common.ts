import type { EsiAuth, EsiRequest } from '../client.ts';
import { toBigId } from '../ids.ts';

/** What a caller may add to any route helper's request. */
export interface EsiCallOptions {
  /**
   * The error scope (EsiRequest.errorScope), e.g. `guild:123456`: set it when
   * what is looked up came from what a user typed or from one guild's data.
   */
  errorScope?: string;
}

/** the request fields an EsiCallOptions adds */
export function callOptions(options: EsiCallOptions | undefined): Pick<EsiRequest<unknown>, 'errorScope'> {
  return options?.errorScope === undefined ? {} : { errorScope: options.errorScope };
}

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
