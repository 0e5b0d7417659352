/**
 * ESI's server-side cache, as a client sees it. A ttl-based route serves one
 * body (same ETag, Last-Modified, Expires) until it expires, even if the data
 * behind it changed: that is why clients must honour Expires. Event-based
 * routes (skills, skillqueue) are fresh on every request but still tell the
 * client how long to wait.
 */
import { createHash } from 'node:crypto';

export interface CachedBody {
  /** serialised JSON */
  body: string;
  /** quoted, like ESI's */
  etag: string;
  lastModified: number;
  expires: number;
  /** extra headers stored with the body (X-Pages) */
  headers: Record<string, string>;
}

export type CacheMode = 'ttl' | 'event' | 'none';

export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('hex').slice(0, 40)}"`;
}

export class ResponseCache {
  private readonly entries = new Map<string, CachedBody>();

  /** the fresh entry for a ttl-based key, if any */
  fresh(key: string, now: number): CachedBody | undefined {
    const entry = this.entries.get(key);
    return entry && now < entry.expires ? entry : undefined;
  }

  /** stores a newly computed body; Last-Modified only moves when the body changed */
  store(key: string, now: number, seconds: number, body: string, headers: Record<string, string>): CachedBody {
    const etag = etagOf(body);
    const previous = this.entries.get(key);
    const entry: CachedBody = {
      body,
      etag,
      lastModified: previous && previous.etag === etag ? previous.lastModified : now,
      expires: now + seconds * 1000,
      headers,
    };
    this.entries.set(key, entry);
    return entry;
  }

  clear(): void {
    this.entries.clear();
  }
}

/** If-None-Match: a list of (possibly weak) quoted tags, or `*` */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

export function cacheHeaders(entry: CachedBody, now: number, authenticated: boolean): Record<string, string> {
  const maxAge = Math.max(0, Math.ceil((entry.expires - now) / 1000));
  return {
    'Cache-Control': `${authenticated ? 'private' : 'public'}, max-age=${maxAge}`,
    Expires: new Date(entry.expires).toUTCString(),
    'Last-Modified': new Date(entry.lastModified).toUTCString(),
    ETag: entry.etag,
  };
}
