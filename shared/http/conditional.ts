/**
 * Conditional GETs: an answer carries an `ETag` (a digest of its body), and a request whose
 * `If-None-Match` names it gets 304 with no body. The dashboard polls every ~2 s; an unchanged
 * deployment then costs a few hundred bytes on the wire. The records are still read: the ETag
 * is of what would be sent, so it changes exactly when the answer does.
 */
import { createHash } from 'node:crypto';
import type { ApiEvent, ApiResult } from './request.js';

/** A strong ETag of the body. */
export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

/** Whether an If-None-Match header names `etag` (weak comparison, RFC 9110 §13.1.2; `*` names any). */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}

/**
 * The answer with its ETag (and `Cache-Control: no-cache`, so a browser revalidates every time
 * rather than reusing it), or 304 when the request already holds it. Only 200 answers are tagged.
 */
export function conditionalAnswer(event: ApiEvent, answer: ApiResult): ApiResult {
  if (answer.statusCode !== 200 || typeof answer.body !== 'string') return answer;
  const etag = etagOf(answer.body);
  const validators = { ETag: etag, 'Cache-Control': 'no-cache' };
  if (noneMatch(event.headers?.['if-none-match'], etag)) return { statusCode: 304, headers: validators };
  return { ...answer, headers: { ...answer.headers, ...validators } };
}
