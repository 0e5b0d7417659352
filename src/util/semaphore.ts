/** At most `limit` holders at once; the rest wait in arrival order. */
export class Semaphore {
  #active = 0;
  readonly #queue: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError('a semaphore needs a limit of at least 1');
  }

  get waiting(): number {
    return this.#queue.length;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#active >= this.limit) await new Promise<void>((resolve) => this.#queue.push(resolve));
    else this.#active += 1;
    try {
      return await work();
    } finally {
      const next = this.#queue.shift();
      // The slot passes straight to the next waiter, so #active stays the same.
      if (next) next();
      else this.#active -= 1;
    }
  }
}
