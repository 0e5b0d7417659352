/** How long a command may spend on EVE's servers before it must answer (the reply is deferred long before). */
export const COMMAND_BUDGET_MS = 10_000;

export interface Budget {
  /** performance.now() by which the work must be done */
  deadline: number;
}

export function budgetFromNow(ms = COMMAND_BUDGET_MS): Budget {
  return { deadline: performance.now() + ms };
}
