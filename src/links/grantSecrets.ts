import type { SecretBox } from '../db/secretBox.ts';

/**
 * The associated data that binds a grant's ciphertexts to their character:
 * a token copied into another character's row does not decrypt.
 */
export function grantAssociatedData(characterId: bigint, which: 'refresh' | 'access'): string {
  return `grant:${which}:${characterId}`;
}

export function sealGrantTokens(box: SecretBox, characterId: bigint, tokens: { refreshToken: string; accessToken: string }) {
  return {
    refreshToken: sealRefreshToken(box, characterId, tokens.refreshToken),
    accessToken: sealAccessToken(box, characterId, tokens.accessToken),
  };
}

export function sealRefreshToken(box: SecretBox, characterId: bigint, refreshToken: string): Uint8Array<ArrayBuffer> {
  return box.seal(refreshToken, grantAssociatedData(characterId, 'refresh'));
}

export function sealAccessToken(box: SecretBox, characterId: bigint, accessToken: string): Uint8Array<ArrayBuffer> {
  return box.seal(accessToken, grantAssociatedData(characterId, 'access'));
}

export function openRefreshToken(box: SecretBox, characterId: bigint, sealed: Uint8Array, keyId: string): string {
  return box.open(sealed, grantAssociatedData(characterId, 'refresh'), keyId);
}

export function openAccessToken(box: SecretBox, characterId: bigint, sealed: Uint8Array, keyId: string): string {
  return box.open(sealed, grantAssociatedData(characterId, 'access'), keyId);
}
