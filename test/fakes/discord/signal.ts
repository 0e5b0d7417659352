// One change notifier for the whole fake: anything that waits ("until a DM
// arrives", "until the reply is edited") re-checks its condition on every
// change. Simpler than per-event emitters and cannot miss an event that
// happened before the wait began, because the check runs immediately.

interface Waiter {
  check: () => boolean;
  fail: (error: Error) => void;
  /** set for waits on one interaction: only changes to it re-check them */
  topic?: string;
}

export class Signal {
  private readonly waiters = new Set<Waiter>();
  private closedError: Error | undefined;

  /**
   * Re-run the pending checks. Call after each state change; with a topic
   * (an interaction id) the waits on that interaction are checked too. Waits
   * on other interactions are left alone, so a thousand pending replies cost
   * one check per change, not a thousand.
   */
  notify(topic?: string): void {
    for (const waiter of [...this.waiters]) if (waiter.topic === undefined || waiter.topic === topic) waiter.check();
  }

  /**
   * Resolve with the first non-undefined value of `probe`, checked now and on
   * each notify; reject after `timeoutMs` with `describe()` in the message.
   */
  waitFor<T>(probe: () => T | undefined, timeoutMs: number, describe: () => string, topic?: string): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise<T>((resolve, reject) => {
      // eslint-disable-next-line prefer-const -- assigned after the waiter that reads it is built
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter = {
        topic,
        check: () => {
          let value: T | undefined;
          try {
            value = probe();
          } catch (error) {
            waiter.fail(error as Error);
            return true;
          }
          if (value === undefined) return false;
          this.waiters.delete(waiter);
          if (timer) clearTimeout(timer);
          resolve(value);
          return true;
        },
        fail: (error) => {
          this.waiters.delete(waiter);
          if (timer) clearTimeout(timer);
          reject(error);
        },
      };
      if (waiter.check()) return;
      this.waiters.add(waiter);
      timer = setTimeout(() => waiter.fail(new Error(`fake discord: timed out after ${timeoutMs} ms waiting for ${describe()}`)), timeoutMs);
    });
  }

  /** Reject every pending wait (the fake is closing) so no timer outlives it. */
  close(): void {
    this.closedError = new Error('fake discord: closed');
    for (const waiter of [...this.waiters]) waiter.fail(this.closedError);
  }
}
