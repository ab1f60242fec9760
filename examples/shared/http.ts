/**
 * Small HTTP pieces both servers share: bearer tokens, ETags and `If-Match`. The request body
 * is read by `body.ts`.
 */
import { createHash } from 'node:crypto';

/** The media type of SCIM requests and responses (RFC 7644 §3.1). */
export const SCIM_CONTENT_TYPE = 'application/scim+json';

/**
 * The token of an `Authorization: Bearer <token>` header (scheme case-insensitive, RFC 6750 §2.1),
 * or undefined when the header is missing or of another scheme.
 */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  return match?.[1];
}

/**
 * Tokens are stored as SHA-256 digests: a leaked table does not leak credentials, and the lookup
 * is an index probe on the digest (no timing difference worth exploiting between tokens).
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The ETag of a group version, weak as in RFC 7644 §3.14's examples: `W/"3"`. */
export function etagOf(version: number): string {
  return `W/"${String(version)}"`;
}

/**
 * Whether an `If-Match` header lets a request proceed against `version`. Absent: yes (the request
 * applies to the current state). `*`: yes, the group exists. Otherwise a comma-separated list of
 * entity tags; `W/"3"` and `"3"` both name version 3 (SCIM clients send the weak tag they got,
 * RFC 7644 §3.14). A header that names no tag matches nothing.
 */
export function ifMatchAllows(header: string | undefined, version: number): boolean {
  if (header === undefined) return true;
  const wanted = String(version);
  for (const part of header.split(',')) {
    const tag = part.trim();
    if (tag === '*') return true;
    const match = /^(?:W\/)?"([^"]*)"$/.exec(tag);
    if (match?.[1] === wanted) return true;
  }
  return false;
}
