import { describe, expect, it, vi } from 'vitest';
import { reusedFor } from '../../src/util/reused.ts';

describe('reusedFor', () => {
  it('given calls within the time, then one read; after it, or after forget(), a new one; a failed read is not kept', async () => {
    vi.useFakeTimers();
    try {
      let reads = 0;
      let fail = false;
      const read = reusedFor(1_000, async () => {
        reads += 1;
        if (fail) throw new Error('down');
        return reads;
      });
      expect(await Promise.all([read(), read()])).toEqual([1, 1]);
      vi.advanceTimersByTime(999);
      expect(await read()).toBe(1);
      vi.advanceTimersByTime(1);
      expect(await read()).toBe(2);
      read.forget();
      expect(await read()).toBe(3);
      read.forget();
      fail = true;
      await expect(read()).rejects.toThrow('down');
      fail = false;
      expect(await read()).toBe(5);
    } finally {
      vi.useRealTimers();
    }
  });
});
