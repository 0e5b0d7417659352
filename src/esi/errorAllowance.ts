/**
 * A small allowance of error answers per error scope (EsiRequest.errorScope,
 * e.g. `guild:123456`): the requests that what a user typed, or one guild's
 * data, decide. ESI allows about 100 error answers a minute for the whole
 * application and answers 420 to everything past that, so one guild looking
 * up 200 unknown ids must not spend what every other guild's commands need.
 * A scope whose allowance is spent is refused without a request until its
 * oldest error leaves the window (a sliding window of error times).
 *
 * Requests in flight count against the allowance until they are answered:
 * otherwise a burst of concurrent lookups would all pass the check before the
 * first 404 came back. So a scope has at most `allowance - recent errors`
 * requests out at once; further ones wait for one of them to finish.
 */

export interface ErrorAllowanceOptions {
  /** error answers a scope may have per window */
  allowance: number;
  windowMs: number;
  /** the clock error times are kept on (the client's wall clock, which tests move) */
  now: () => number;
  /** scopes kept before idle ones are forgotten; default 10000 */
  maxScopes?: number;
}

export type AllowanceSlot =
  /** the request may go out; `release` once its answer (or failure) is in */
  | { granted: true; release(errorAnswer: boolean): void }
  /** the scope's allowance is spent */
  | { granted: false; reason: 'spent'; retryAfterSeconds: number }
  /** the deadline came while waiting for a request of the scope to finish */
  | { granted: false; reason: 'deadline' }
  /** the signal fired (the client is closing) */
  | { granted: false; reason: 'aborted' };

interface ScopeState {
  /** `now()` ms of each recent error answer, oldest first */
  errors: number[];
  inFlight: number;
  waiters: Set<() => void>;
}

export class ErrorAllowances {
  readonly #allowance: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #maxScopes: number;
  readonly #scopes = new Map<string, ScopeState>();

  constructor(options: ErrorAllowanceOptions) {
    if (!(Number.isInteger(options.allowance) && options.allowance >= 1)) throw new RangeError('an error allowance must be at least 1');
    if (!(options.windowMs > 0)) throw new RangeError('an error allowance window must be positive');
    this.#allowance = options.allowance;
    this.#windowMs = options.windowMs;
    this.#now = options.now;
    this.#maxScopes = options.maxScopes ?? 10_000;
  }

  /**
   * A slot for one attempt in `scope`: granted, refused because the
   * allowance is spent, or not granted before `deadline` (performance.now() ms).
   */
  async acquire(scope: string, deadline: number, signal: AbortSignal): Promise<AllowanceSlot> {
    for (;;) {
      if (signal.aborted) return { granted: false, reason: 'aborted' };
      const state = this.#state(scope);
      const now = this.#now();
      this.#forgetOld(state, now);
      if (state.errors.length >= this.#allowance) {
        const retryAfterSeconds = Math.max(1, Math.ceil((state.errors[0]! + this.#windowMs - now) / 1000));
        return { granted: false, reason: 'spent', retryAfterSeconds };
      }
      if (state.errors.length + state.inFlight < this.#allowance) {
        state.inFlight += 1;
        return { granted: true, release: this.#releaser(state) };
      }
      if (!(await waitForRelease(state, deadline, signal))) return { granted: false, reason: 'deadline' };
    }
  }

  #releaser(state: ScopeState): (errorAnswer: boolean) => void {
    let released = false;
    return (errorAnswer) => {
      if (released) return;
      released = true;
      state.inFlight -= 1;
      if (errorAnswer) state.errors.push(this.#now());
      // Every waiter checks again: a success frees a slot, an error may spend the allowance.
      for (const wake of [...state.waiters]) wake();
    };
  }

  #state(scope: string): ScopeState {
    let state = this.#scopes.get(scope);
    if (!state) {
      if (this.#scopes.size >= this.#maxScopes) this.#forgetIdle();
      state = { errors: [], inFlight: 0, waiters: new Set() };
      this.#scopes.set(scope, state);
    }
    return state;
  }

  #forgetOld(state: ScopeState, now: number): void {
    while (state.errors.length > 0 && state.errors[0]! <= now - this.#windowMs) state.errors.shift();
  }

  /** drops scopes with nothing recent or pending: a forgotten scope starts with its full allowance, which is what it would have */
  #forgetIdle(): void {
    const now = this.#now();
    for (const [scope, state] of this.#scopes) {
      this.#forgetOld(state, now);
      if (state.errors.length === 0 && state.inFlight === 0 && state.waiters.size === 0) this.#scopes.delete(scope);
    }
  }
}

/** true when a request of the scope finished (or the signal fired), false at the deadline */
function waitForRelease(state: ScopeState, deadline: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (woken: boolean) => {
      clearTimeout(timer);
      state.waiters.delete(wake);
      signal.removeEventListener('abort', wake);
      resolve(woken);
    };
    const wake = () => done(true);
    const timer = setTimeout(() => done(false), Math.max(0, deadline - performance.now()));
    state.waiters.add(wake);
    signal.addEventListener('abort', wake, { once: true });
  });
}
