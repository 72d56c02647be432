import { describe, expect, it } from 'vitest';
import { MissingResourceError, TransientError } from '../../shared/domain/errors.js';
import { parseTarget } from '../../shared/domain/target.js';
import { targetResourceWarnings, type TargetResourceDeps } from '../../shared/usecases/target-resources.js';

/** Lambda and CloudFront as lookups: what exists answers, the rest throws as the adapters do. */
function resources(existing: { aliases?: string[]; distributions?: string[]; failing?: string[] }): TargetResourceDeps {
  return {
    aliases: {
      async getAlias(fn, alias) {
        if (existing.failing?.includes(fn)) throw new TransientError(`reading alias ${fn}:${alias}: Rate exceeded`);
        if (!existing.aliases?.includes(`${fn}:${alias}`)) throw new MissingResourceError(`reading alias ${fn}:${alias}: not found`);
        return { version: '1', revisionId: 'r' };
      },
    },
    origins: {
      async currentOriginPath(distributionId) {
        if (!existing.distributions?.includes(distributionId)) throw new MissingResourceError(`CloudFront distribution ${distributionId} does not exist`);
        return '';
      },
    },
  };
}

describe('Function: targetResourceWarnings', () => {
  const app = parseTarget({
    name: 'shop',
    kind: 'app',
    components: {
      api: { function: { name: 'shop-api' } },
      worker: { function: { name: 'shop-worker' } },
      web: { site: { bucket: 'shop-web-origin', distributionId: 'E1' } },
    },
  });

  it("names each of an app's missing resources by its component, and nothing that exists", async () => {
    // Act
    const warnings = await targetResourceWarnings(resources({ aliases: ['shop-api:live'], distributions: [] }), app);
    // Assess
    expect(warnings).toEqual([
      expect.stringMatching(/^component worker: function shop-worker or its alias live does not exist, so a deployment would fail/),
      expect.stringMatching(/^component web: CloudFront distribution E1 does not exist, so a deployment would fail/),
    ]);
  });

  it('says what it could not check rather than failing the apply', async () => {
    // Prepare
    const target = parseTarget({ name: 'hello', kind: 'function', function: { name: 'hello' } });
    // Act
    const warnings = await targetResourceWarnings(resources({ failing: ['hello'] }), target);
    // Assess
    expect(warnings).toEqual(['could not check function hello:live (reading alias hello:live: Rate exceeded)']);
  });

  it('warns of nothing when everything is there', async () => {
    const target = parseTarget({ name: 'www', kind: 'site', site: { bucket: 'shop-web-origin', distributionId: 'E1' } });
    expect(await targetResourceWarnings(resources({ distributions: ['E1'] }), target)).toEqual([]);
  });
});
