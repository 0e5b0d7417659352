// Discord's error JSON shapes, so discord.js raises DiscordAPIError with the
// same `code` and `message` the bot would see in production.
 

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export function discordError(status: number, code: number, message: string, errors?: unknown): Reply {
  return { status, body: errors === undefined ? { message, code } : { message, code, errors } };
}

export const notFound = (): Reply => discordError(404, 0, '404: Not Found');
export const unauthorized = (): Reply => discordError(401, 0, '401: Unauthorized');
export const unknownWebhook = (): Reply => discordError(404, 10015, 'Unknown Webhook');
export const unknownMessage = (): Reply => discordError(404, 10008, 'Unknown Message');
export const unknownInteraction = (): Reply => discordError(404, 10062, 'Unknown interaction');
export const alreadyAcknowledged = (): Reply => discordError(400, 40060, 'Interaction has already been acknowledged.');
export const emptyMessage = (): Reply => discordError(400, 50006, 'Cannot send an empty message');

/** One field problem: path like ['embeds', 0, 'description']. */
export interface FieldProblem {
  path: (string | number)[];
  code: string;
  message: string;
}

/** 50035 Invalid Form Body with Discord's nested `errors` object ({a: {0: {b: {_errors: [...]}}}}). */
export function invalidFormBody(problems: FieldProblem[]): Reply {
  const errors: any = {};
  for (const problem of problems) {
    let node = errors;
    for (const key of problem.path) node = node[String(key)] ??= {};
    (node._errors ??= []).push({ code: problem.code, message: problem.message });
  }
  return discordError(400, 50035, 'Invalid Form Body', errors);
}
