/** EVE ids: bigint in the bot's API, JSON numbers on the wire. */

export function toBigId(value: number): bigint {
  if (!Number.isSafeInteger(value)) throw new RangeError('an EVE id must be a safe integer');
  return BigInt(value);
}

export function toWireId(value: bigint | number): number {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (!Number.isSafeInteger(n) || n < 0 || (typeof value === 'bigint' && BigInt(n) !== value)) throw new RangeError('an EVE id must be a non-negative safe integer');
  return n;
}

/** bigint ids, duplicates removed, first-seen order kept */
export function uniqueIds(ids: readonly (bigint | number)[]): bigint[] {
  const seen = new Set<bigint>();
  for (const id of ids) seen.add(typeof id === 'bigint' ? id : toBigId(id));
  return [...seen];
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
