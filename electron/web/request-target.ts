/**
 * The request target of an HTTP request (RFC 9112 §3.2), read defensively: web mode faces every
 * page in the user's browser, and `new URL('//[', base)` throws, so a target is parsed here once
 * and anything that is not a plain origin-form path ("/…", not "//…", "http://…" or "*") is
 * refused with 400 instead of reaching the static files or the WebSocket upgrade.
 */
export interface RequestTarget {
  pathname: string;
  searchParams: URLSearchParams;
}

/** Longest target we look at; browsers send far less, node's header limit (16 KiB) bounds it anyway. */
const MAX_TARGET_CHARS = 8192;

export function parseRequestTarget(raw: string | undefined): RequestTarget | null {
  if (raw === undefined || raw.length > MAX_TARGET_CHARS) return null;
  // origin-form only: "//host/…" would make URL read a host; absolute-form and "*" have no use here
  if (!raw.startsWith('/') || raw.startsWith('//')) return null;
  try {
    const url = new URL(`http://localhost${raw}`);
    return { pathname: url.pathname, searchParams: url.searchParams };
  } catch {
    return null;
  }
}
