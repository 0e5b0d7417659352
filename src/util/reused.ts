/** A read whose answer is reused for a while; `forget()` makes the next call read again. */
export interface Reused<T> {
  (): Promise<T>;
  forget(): void;
}

/** `read`, its answer reused for `ms` (calls meanwhile share it); a failed read is not kept. */
export function reusedFor<T>(ms: number, read: () => Promise<T>): Reused<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  const reused = () => {
    const now = Date.now();
    if (!last || now - last.at >= ms) {
      const entry = { at: now, value: read() };
      last = entry;
      entry.value.catch(() => {
        if (last === entry) last = undefined;
      });
    }
    return last.value;
  };
  return Object.assign(reused, { forget: () => (last = undefined) as void });
}
