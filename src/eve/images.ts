/** EVE's image server: portraits need no token and are cached by Discord's media proxy. */
export function characterPortraitUrl(characterId: bigint | number | string, size: 32 | 64 | 128 | 256 = 64): string {
  return `https://images.evetech.net/characters/${characterId}/portrait?size=${size}`;
}
