import { describe, expect, it } from 'vitest';
import { conditionalAnswer, etagOf, noneMatch } from '../../shared/http/conditional.js';
import type { ApiEvent } from '../../shared/http/request.js';

const event = (headers: Record<string, string> = {}) => ({ headers }) as unknown as ApiEvent;
const answer = { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{"a":1}' };

describe('conditional GETs', () => {
  it('tags a 200 answer with the digest of its body and asks browsers to revalidate it', () => {
    const tagged = conditionalAnswer(event(), answer);
    expect(tagged.headers).toMatchObject({ ETag: etagOf('{"a":1}'), 'Cache-Control': 'no-cache', 'Content-Type': 'application/json' });
    expect(tagged.body).toBe('{"a":1}');
    expect(etagOf('{"a":2}')).not.toBe(etagOf('{"a":1}'));
  });

  it('answers 304 without a body to a list naming the tag, weak or strong, or to *', () => {
    const etag = etagOf('{"a":1}');
    for (const header of [etag, `"x", W/${etag}`, '*']) {
      const result = conditionalAnswer(event({ 'if-none-match': header }), answer);
      expect(result.statusCode, header).toBe(304);
      expect(result.body, header).toBeUndefined();
    }
    expect(noneMatch('"other"', etag)).toBe(false);
  });

  it('leaves answers other than 200 untagged', () => {
    const accepted = { statusCode: 202, body: '{}' };
    expect(conditionalAnswer(event({ 'if-none-match': '*' }), accepted)).toBe(accepted);
  });
});
