import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/domain/errors.js';
import { linkLocalReason } from '../../shared/domain/probe-address.js';
import { parseTarget } from '../../shared/domain/target.js';

/** The instance metadata service and its neighbours, written every way a URL parser accepts. */
const METADATA_URLS = [
  'http://169.254.169.254/latest/meta-data/',
  'http://169.254.170.2/v2/credentials', // ECS task credentials
  'http://[fd00:ec2::254]/latest/meta-data/',
  'http://[fe80::1]/',
  'http://[febf:ffff::1]/',
  'http://[::ffff:169.254.169.254]/',
  'http://[::ffff:a9fe:a9fe]/',
  'http://2852039166/',
  'http://0xa9fea9fe/',
  'http://169.254.43518/',
  'http://0251.0376.0251.0376/',
  'https://169.254.169.254:8443/health',
];

describe('Function: linkLocalReason', () => {
  it.each(METADATA_URLS)('refuses %s', (url) => {
    // Act & Assess
    expect(linkLocalReason(new URL(url).hostname)).toMatch(/link-local or instance metadata/);
  });

  it.each(['169.254.169.254', 'fd00:ec2::254', 'fe80::1%eth0', '::ffff:169.254.169.254'])('refuses the resolved address %s', (address) => {
    // Act & Assess
    expect(linkLocalReason(address)).toBeDefined();
  });

  it.each(['127.0.0.1', '[::1]', '10.0.0.1', '169.255.0.1', '[fec0::1]', '[fd00:ec2::253]', 'example.com', 'localhost', '[2001:db8::1]'])(
    'lets %s through',
    (host) => {
      // Act & Assess
      expect(linkLocalReason(host)).toBeUndefined();
    },
  );
});

describe('Target schema: health.probe.url', () => {
  const target = (probe: Record<string, unknown>) => ({ name: 'hello', kind: 'function', function: { name: 'hello' }, health: { probe } });

  it.each(METADATA_URLS)('refuses a probe of %s at save, saying how to allow it', (url) => {
    // Act
    const failure = (() => {
      try {
        parseTarget(target({ url }));
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    // Assess
    expect(failure).toBeInstanceOf(ValidationError);
    const issues = (failure as ValidationError).issues;
    expect(issues.map((issue) => issue.path)).toEqual(['health.probe.url']);
    expect(issues[0]!.message).toMatch(/link-local or instance metadata.*allowLinkLocal/);
  });

  it('accepts a link-local probe the target explicitly allows', () => {
    // Act
    const parsed = parseTarget(target({ url: 'http://169.254.10.20/health', allowLinkLocal: true }));
    // Assess
    expect(parsed.health.probe).toMatchObject({ url: 'http://169.254.10.20/health', allowLinkLocal: true });
  });

  it('leaves allowLinkLocal out of a target that does not set it', () => {
    // Act
    const parsed = parseTarget(target({ url: 'https://example.com/health' }));
    // Assess
    expect(parsed.health.probe).toEqual({ url: 'https://example.com/health', expectStatus: 200, timeoutMs: 3000 });
  });
});
