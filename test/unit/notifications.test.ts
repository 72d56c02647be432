import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/domain/errors.js';
import { eventsForChange, type StatusChangedDetail } from '../../shared/domain/events.js';
import { escapeMrkdwn, slackMessage } from '../../shared/domain/notifications.js';
import { parseTarget } from '../../shared/domain/target.js';

const T0 = '2026-03-01T10:00:00.000Z';

function detail(overrides: Partial<StatusChangedDetail> = {}): StatusChangedDetail {
  const [event] = eventsForChange(undefined, {
    id: 'd-abc',
    target: 'checkout',
    release: 'v42',
    status: 'rolled_back',
    trigger: 'api',
    requestedAt: T0,
    startedAt: T0,
    updatedAt: T0,
    endedAt: T0,
    fromVersion: '7',
    toVersion: '8',
    trafficPercent: 0,
    reason: 'UnhealthyReleaseError: alarm checkout-5xx is in ALARM; alias restored to version 7',
    requestedBy: 'arn:aws:iam::123456789012:user/ana',
    timeline: [],
  });
  return { ...(event!.detail as StatusChangedDetail), ...overrides };
}

describe('Function: slackMessage', () => {
  it('says what happened to which release of which target, and why', () => {
    // Act
    const message = slackMessage(detail());
    // Assess
    expect(message.text).toBe(
      ':rewind: checkout release v42 was rolled back: UnhealthyReleaseError: alarm checkout-5xx is in ALARM; alias restored to version 7',
    );
    expect(message.blocks[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn', text: '*:rewind: checkout release v42 was rolled back*' } });
    const fields = (message.blocks[0] as { fields: { text: string }[] }).fields.map((f) => f.text);
    expect(fields).toEqual([
      '*Target*\ncheckout',
      '*Release*\nv42',
      '*Status*\nrolled_back',
      '*Traffic on the release*\n0%',
      '*Versions*\n7 → 8',
      '*Trigger*\napi (arn:aws:iam::123456789012:user/ana)',
    ]);
    expect(message.blocks.at(-1)).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: `deployment d-abc · ${T0}` }] });
  });

  it('leaves out the reason when there is none', () => {
    // Act
    const message = slackMessage(detail({ status: 'succeeded', reason: null, trafficPercent: 100 }));
    // Assess
    expect(message.text).toBe(':white_check_mark: checkout release v42 succeeded');
    expect(message.blocks).toHaveLength(2);
  });

  it('escapes what could become a mention or a link, and sends no link', () => {
    // Act
    const message = slackMessage(detail({ reason: 'hook said <!channel> see <https://evil.example|here> & more' }));
    const json = JSON.stringify(message);
    // Assess
    expect(message.text).toContain('hook said &lt;!channel&gt; see &lt;https://evil.example|here&gt; &amp; more');
    expect(json).not.toMatch(/<!channel>|<https?:/);
    expect(escapeMrkdwn('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
  });

  it("keeps within Slack's text limits", () => {
    // Act
    const message = slackMessage(detail({ reason: 'x'.repeat(10_000) }));
    // Assess
    expect(message.text.length).toBeLessThanOrEqual(3000);
    for (const block of message.blocks) if (block.type === 'section') expect(block.text.text.length).toBeLessThanOrEqual(3000);
  });
});

describe('Schema: target notifications', () => {
  const base = { name: 'hello', kind: 'function', function: { name: 'hello' } };

  function issuesOf(input: unknown): string[] {
    try {
      parseTarget(input);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).issues.map((i) => `${i.path}: ${i.message}`);
    }
    throw new Error('expected a ValidationError');
  }

  it('posts the terminal statuses by default', () => {
    // Act
    const target = parseTarget({ ...base, notifications: { webhook: { url: 'https://hooks.slack.com/services/T/B/x' } } });
    // Assess
    expect(target.notifications?.webhook?.events).toEqual(['succeeded', 'rolled_back', 'failed', 'cancelled', 'superseded']);
  });

  it('allows plain http only to this machine', () => {
    // Act & Assess
    expect(parseTarget({ ...base, notifications: { webhook: { url: 'http://127.0.0.1:8080/hook' } } }).notifications?.webhook?.url).toBe(
      'http://127.0.0.1:8080/hook',
    );
    expect(
      parseTarget({ ...base, kind: 'function', notifications: { webhook: { url: 'http://localhost/x', events: ['failed'] } } }).notifications?.webhook?.events,
    ).toEqual(['failed']);
    expect(issuesOf({ ...base, notifications: { webhook: { url: 'http://hooks.example.com/x' } } })).toEqual([
      'notifications.webhook.url: must be an https URL (plain http only for 127.0.0.1 or localhost)',
    ]);
  });

  it('names a bad URL, an unknown status and an unknown field by their paths', () => {
    // Act & Assess
    expect(issuesOf({ ...base, notifications: { webhook: { url: 'not a url' } } })[0]).toMatch(/^notifications\.webhook\.url: must be an https URL/);
    expect(issuesOf({ ...base, notifications: { webhook: { url: 'https://x.example', events: ['done'] } } })[0]).toMatch(
      /^notifications\.webhook\.events\.0: /,
    );
    expect(issuesOf({ ...base, notifications: { webhook: { url: 'https://x.example', events: [] } } })[0]).toMatch(/^notifications\.webhook\.events: /);
    expect(issuesOf({ ...base, notifications: { slack: {} } })).toEqual(['notifications: unknown field "slack"']);
  });

  it('applies to site targets too', () => {
    // Act
    const site = parseTarget({
      name: 'www',
      kind: 'site',
      site: { bucket: 'acme-www', distributionId: 'E123' },
      notifications: { webhook: { url: 'https://hooks.example.com/x', events: ['succeeded'] } },
    });
    // Assess
    expect(site.notifications?.webhook).toEqual({ url: 'https://hooks.example.com/x', events: ['succeeded'] });
  });
});
