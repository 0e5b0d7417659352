/** Full-jitter backoff: a random wait in [base·2^attempt / 2, base·2^attempt], so retries of many callers spread out. */
export function jitteredDelay(attempt: number, baseMs: number): number {
  const ceiling = baseMs * 2 ** attempt;
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
