import { DefaultRestOptions } from 'discord.js';

type MakeRequest = typeof DefaultRestOptions.makeRequest;

/**
 * discord.js's REST request, with multipart bodies encoded to bytes first.
 *
 * Every undici copy in the process shares one global dispatcher, and the
 * first to load installs it: here undici 7 (ESI and SSO clients). discord.js
 * sends uploads as a FormData of Node's own undici, which undici 7's
 * dispatcher cannot read ("action is not a function"), so a reply with a file
 * (the /audit CSV) failed. Encoded bytes go through any undici.
 */
export async function restRequest(...[url, init]: Parameters<MakeRequest>): ReturnType<MakeRequest> {
  if (!(init.body instanceof FormData)) return DefaultRestOptions.makeRequest(url, init);
  const encoded = new Response(init.body);
  const contentType = encoded.headers.get('content-type');
  const headers = { ...(init.headers as Record<string, string> | undefined), ...(contentType ? { 'content-type': contentType } : {}) };
  return DefaultRestOptions.makeRequest(url, { ...init, headers, body: new Uint8Array(await encoded.arrayBuffer()) });
}
