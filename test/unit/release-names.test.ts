/**
 * A release named `.slipway` once overwrote a site's manifest store, and `..` staged outside the
 * release prefix. Every way a release name comes in refuses a name that starts with a dot: the
 * artifact key layout (so intake ignores such an upload), the API's request schemas and the
 * deploy use case. (The CLI's checks are in cli-commands.test.ts and cli-api-commands.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { parseReleaseKey, readReleaseKey, releaseKey } from '../../shared/domain/artifact-key.js';
import { ValidationError } from '../../shared/domain/errors.js';
import { deployRequestSchema, rollbackRequestSchema } from '../../shared/http/schemas.js';
import { deployHookCallRequestSchema, deployHookCreateRequestSchema, releaseUploadRequestSchema } from '../../shared/http/upload-hook-schemas.js';
import { deployRelease, type DeployDeps } from '../../shared/usecases/deployments.js';
import { acceptUpload, type IntakeDeps } from '../../shared/usecases/intake.js';

const DOT_NAMES = ['.', '..', '.slipway', '.env'];

/** A dependency no step of the case may touch: any use fails the test. */
function untouchable<T>(): T {
  return new Proxy(
    {},
    {
      get: (_, key) => {
        throw new Error(`unexpected call to ${String(key)}`);
      },
    },
  ) as T;
}

describe('Key layout', () => {
  it.each(DOT_NAMES)('keeps the release "%s" out of the layout and says why', (release) => {
    // Act
    const reading = readReleaseKey(releaseKey('www', release));
    // Assess
    expect(parseReleaseKey(releaseKey('www', release))).toBeUndefined();
    expect(reading).toEqual({ ok: false, reason: expect.stringContaining(`the release name "${release}" starts with "."`) });
  });

  it.each([
    ['releases/hello/r 2.zip', 'the release name "r 2" must be 1 to 128 characters'],
    ['releases/hello/r2.ZIP', 'does not end with ".zip"'],
    ['uploads/hello/r2.zip', 'does not start with "releases/"'],
    ['releases/hello/sub/r2.zip', 'has 2 "/" after "releases/"'],
    ['releases/Hello/r2.zip', 'the target name "Hello" must match'],
  ])('says why %s is outside the layout', (key, why) => {
    expect(readReleaseKey(key)).toEqual({ ok: false, reason: expect.stringContaining(why) });
  });

  it('reads a key inside the layout', () => {
    expect(readReleaseKey('releases/www/r1.2.zip')).toEqual({ ok: true, target: 'www', release: 'r1.2' });
  });
});

describe('Intake', () => {
  it.each(['releases/www/.slipway.zip', 'releases/www/...zip', 'releases%2Fwww%2F.slipway.zip'])(
    'ignores the upload %s without looking up a target or creating a record',
    async (rawKey) => {
      // Prepare
      const logged: [string, Record<string, unknown> | undefined][] = [];
      const deps: IntakeDeps = {
        targets: untouchable(),
        artifacts: untouchable(),
        deployments: untouchable(),
        orchestrator: untouchable(),
        artifactBucket: 'artifacts',
        clock: untouchable(),
        log: () => undefined,
        warn: (message, details) => void logged.push([message, details]),
      };
      // Act
      const outcome = await acceptUpload(deps, { bucket: 'artifacts', rawKey, eventTime: '2026-03-01T12:00:00Z' });
      // Assess
      expect(outcome).toEqual({ outcome: 'ignored', key: expect.stringMatching(/^releases\/www\/\./), reason: expect.stringContaining('starts with "."') });
      expect(logged).toEqual([[expect.stringContaining('starts with "."'), expect.objectContaining({ key: expect.stringMatching(/^releases\/www\/\./) })]]);
    },
  );
});

describe('API request schemas', () => {
  const sha256 = 'a'.repeat(64);
  const requests: [string, (release: string) => { success: boolean; error?: { issues: { path: (string | number)[]; message: string }[] } }][] = [
    ['POST /deployments', (release) => deployRequestSchema.safeParse({ target: 'www', release })],
    ['POST /targets/{name}/rollback', (release) => rollbackRequestSchema.safeParse({ release })],
    ['POST /targets/{name}/releases', (release) => releaseUploadRequestSchema.safeParse({ release, sha256, size: 10 })],
    ['POST /targets/{name}/hooks', (release) => deployHookCreateRequestSchema.safeParse({ name: 'ci', release })],
    ['POST /hooks/{hookId}', (release) => deployHookCallRequestSchema.safeParse({ release })],
  ];

  it.each(requests)('%s refuses every release name that starts with a dot, naming the field', (_, parse) => {
    for (const release of DOT_NAMES) {
      const result = parse(release);
      expect(result.success, release).toBe(false);
      expect(result.error?.issues).toEqual([{ ...result.error!.issues[0], path: ['release'], message: expect.stringContaining('must not start with "."') }]);
    }
  });

  it.each(requests)('%s still takes a release name with dots inside', (_, parse) => {
    expect(parse('v1.2.3').success).toBe(true);
  });
});

describe('Function: deployRelease', () => {
  it.each(DOT_NAMES)('refuses the release "%s" before it looks anything up', async (release) => {
    // Prepare
    const deps: DeployDeps = {
      targets: untouchable(),
      deployments: untouchable(),
      artifacts: untouchable(),
      orchestrator: untouchable(),
      artifactBucket: 'artifacts',
      clock: untouchable(),
    };
    // Act
    const error = await deployRelease(deps, { target: 'www', release }).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([{ path: 'release', message: expect.stringMatching(/^starts with "\."/) }]);
  });
});
