/**
 * The dependency rule (CONTRIBUTING.md § Layout), enforced by `npm test`: the rules in
 * .dependency-cruiser.cjs, run with dependency-cruiser's API over the whole project, exactly as
 * `npm run depcheck` runs them. A second case plants one violation of each rule in a throw-away
 * tree and checks that each is reported, so a rule that stops matching (a mistyped path, a
 * package excluded from the graph) fails here instead of passing silently.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseOptions, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

/** Cruises `baseDir` with the project's rules; answers the result. */
async function cruiseWithProjectRules(baseDir: string): Promise<ICruiseResult> {
  const options: ICruiseOptions = { ...(await extractDepcruiseOptions(CONFIG)), baseDir, validate: true, outputType: 'json' };
  const tsConfig = extractTSConfig(join(ROOT, 'tsconfig.json'));
  const { output } = await cruise(['.'], options, {}, { tsConfig });
  return (typeof output === 'string' ? JSON.parse(output) : output) as ICruiseResult;
}

/** One line per violation, `rule: from → to` (a cycle as its whole path), the way a reviewer reads them. */
function describeViolation(violation: IViolation): string {
  const path = violation.cycle?.length ? [violation.from, ...violation.cycle.map((step) => step.name)].join(' → ') : `${violation.from} → ${violation.to}`;
  return `${violation.rule.name}: ${path}`;
}

describe('the dependency rule', () => {
  it('holds for every module of the project (fix the import, or see .dependency-cruiser.cjs for why a rule is there)', async () => {
    // Prepare, Act
    const result = await cruiseWithProjectRules(ROOT);

    // Assess: the cruise saw the layers and resolved the packages, so an empty answer means something.
    const sources = result.modules.map((module) => module.source);
    for (const layer of [
      'functions/',
      'roots/',
      'dev/',
      'cli/',
      'shared/domain/',
      'shared/ports/',
      'shared/usecases/',
      'shared/adapters/',
      'shared/http/',
      'shared/handlers/',
    ]) {
      expect(
        sources.some((source) => source.startsWith(layer)),
        `no module under ${layer} was cruised`,
      ).toBe(true);
    }
    expect(
      sources.some((source) => source.startsWith('node_modules/@aws-sdk/')),
      'the AWS SDK imports did not resolve',
    ).toBe(true);
    expect(result.summary.violations.map(describeViolation)).toEqual([]);
  }, 120_000);

  describe('reports a planted violation of each rule', () => {
    let fixture = '';
    afterAll(async () => {
      if (fixture) await rm(fixture, { recursive: true, force: true });
    });

    /** file → what it imports; each import is a violation of the rule named in the comment unless said otherwise. */
    const FILES: Record<string, string[]> = {
      'shared/domain/rule.ts': ['../ports/port.js', '@aws-sdk/client-s3', '../../roots/aws.js'],
      'shared/domain/clean.ts': [],
      'shared/ports/port.ts': ['../usecases/step.js', '@aws-lambda-powertools/logger'],
      'shared/usecases/step.ts': ['../http/routes.js', '@middy/core'],
      'shared/usecases/clean.ts': ['../domain/clean.js'],
      'shared/adapters/store.ts': ['../usecases/clean.js', '@aws-sdk/client-dynamodb', '../../test/support/fake.js'],
      'shared/http/routes.ts': ['../adapters/store.js', '@aws-sdk/client-sfn'],
      'shared/handlers/task.ts': ['../adapters/store.js', '@aws-sdk/client-lambda', 'vitest'],
      'functions/stage.ts': ['../shared/handlers/task.js', '../roots/aws.js'],
      'roots/aws.ts': ['../dev/runtime.js', '../shared/adapters/store.js'],
      'dev/runtime.ts': ['../cli/program.js', '../roots/aws.js'],
      'cli/program.ts': ['../shared/adapters/store.js', '../dev/runtime.js', '../shared/http/routes.js', './missing.js'],
      'cli/dev.ts': ['../dev/runtime.js'],
      'test/support/fake.ts': [],
    };
    const EXPECTED = [
      'domain-imports-only-domain: shared/domain/rule.ts → shared/ports/port.ts',
      'domain-no-aws: shared/domain/rule.ts → @aws-sdk/client-s3',
      'shared-not-to-entry-points: shared/domain/rule.ts → roots/aws.ts',
      'ports-import-only-domain: shared/ports/port.ts → shared/usecases/step.ts',
      'ports-no-aws: shared/ports/port.ts → @aws-lambda-powertools/logger',
      'usecases-import-only-domain-and-ports: shared/usecases/step.ts → shared/http/routes.ts',
      'usecases-no-aws: shared/usecases/step.ts → @middy/core',
      'adapters-import-only-domain-and-ports: shared/adapters/store.ts → shared/usecases/clean.ts',
      'shared-not-to-entry-points: shared/adapters/store.ts → test/support/fake.ts',
      'http-imports-only-domain-ports-usecases: shared/http/routes.ts → shared/adapters/store.ts',
      'http-no-aws-sdk: shared/http/routes.ts → @aws-sdk/client-sfn',
      'handlers-import-no-adapters: shared/handlers/task.ts → shared/adapters/store.ts',
      'handlers-no-aws-sdk: shared/handlers/task.ts → @aws-sdk/client-lambda',
      'shipped-code-no-dev-dependencies: shared/handlers/task.ts → vitest',
      'functions-import-only-roots: functions/stage.ts → shared/handlers/task.ts',
      'roots-import-only-shared: roots/aws.ts → dev/runtime.ts',
      'dev-imports-only-roots-and-shared: dev/runtime.ts → cli/program.ts',
      'cli-imports-only-contracts: cli/program.ts → shared/adapters/store.ts',
      'cli-dev-only-from-cli-dev: cli/program.ts → dev/runtime.ts',
      'not-to-unresolvable: cli/program.ts → ./missing.js',
      'no-circular: dev/runtime.ts → roots/aws.ts → dev/runtime.ts',
    ];

    it('and lets the allowed imports pass', async () => {
      // Prepare: the tree, with the project's node_modules so packages resolve as they do in the project.
      fixture = await mkdtemp(join(tmpdir(), 'slipway-architecture-'));
      await symlink(join(ROOT, 'node_modules'), join(fixture, 'node_modules'), 'dir');
      await writeFile(
        join(fixture, 'package.json'),
        JSON.stringify({
          type: 'module',
          dependencies: {
            '@aws-sdk/client-s3': '*',
            '@aws-sdk/client-dynamodb': '*',
            '@aws-sdk/client-sfn': '*',
            '@aws-sdk/client-lambda': '*',
            '@aws-lambda-powertools/logger': '*',
            '@middy/core': '*',
          },
          devDependencies: { vitest: '*' },
        }),
      );
      for (const [file, imports] of Object.entries(FILES)) {
        await mkdir(dirname(join(fixture, file)), { recursive: true });
        await writeFile(
          join(fixture, file),
          `${imports.map((target, index) => `import * as m${index} from '${target}';`).join('\n')}\nexport const used = [${imports.map((_, index) => `m${index}`).join(', ')}];\n`,
        );
      }

      // Act
      const result = await cruiseWithProjectRules(fixture);

      // Assess: packages are named by package, not by their file inside node_modules.
      const reported = result.summary.violations
        .map(describeViolation)
        .map((line) => line.replace(/(?:\.\.\/)*[^ ]*node_modules\/((?:@[^/]+\/)?[^/]+)\/[^ ]*/g, '$1'));
      for (const expected of EXPECTED) expect(reported, `expected ${expected}`).toContain(expected);
      const allowed = [
        'cli/dev.ts → dev/runtime.ts',
        'functions/stage.ts → roots/aws.ts',
        'roots/aws.ts → shared/adapters/store.ts',
        'cli/program.ts → shared/http/routes.ts',
        'shared/usecases/clean.ts → shared/domain/clean.ts',
      ];
      for (const edge of allowed)
        expect(
          reported.filter((line) => line.endsWith(`: ${edge}`)),
          `${edge} is allowed`,
        ).toEqual([]);
    }, 120_000);
  });
});
