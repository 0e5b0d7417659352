/**
 * Errors meant for users carry the sentence they will read; services throw
 * them, the Discord edge shows them. Every other error is internal: the user
 * sees an error id, the log gets the details.
 */
export class UserFacingError extends Error {
  constructor(
    readonly userMessage: string,
    options?: { cause?: unknown },
  ) {
    super(userMessage, options);
    this.name = new.target.name;
  }
}
