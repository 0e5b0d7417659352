/** The largest id Postgres' bigint holds (EVE and Discord ids are stored as bigint). */
const MAX_BIGINT = 9_223_372_036_854_775_807n;

/**
 * An id typed by a user or carried in a button's custom id, as a bigint, or
 * undefined when it is not one: digits only, and within the database's
 * 64-bit range (a longer number must get a clear answer, not a database error).
 */
export function parseId(text: string): bigint | undefined {
  const trimmed = text.trim();
  if (!/^\d{1,19}$/.test(trimmed)) return undefined;
  const id = BigInt(trimmed);
  return id <= MAX_BIGINT ? id : undefined;
}
