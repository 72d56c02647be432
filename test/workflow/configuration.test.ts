import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { functionPackage } from '../../dev/zip.js';
import { CONFIG_DIGEST_ENV } from '../../shared/domain/configuration.js';
import { viaHandler } from '../support/api-calls.js';
import { uniqueName } from '../support/aws-env.js';
import { testRuntime } from '../support/runtime.js';
import { aliasOf, createFunctionTarget, createWorld, finished, localOrchestrator, release, type World } from '../support/workflow-harness.js';

const ssm = () => new SSMClient({});
const secrets = () => new SecretsManagerClient({});

async function putParameter(name: string, value: string): Promise<void> {
  await ssm().send(new PutParameterCommand({ Name: name, Value: value, Type: 'SecureString', Overwrite: true }));
}

async function environmentOf(world: World, fn: string, version: string): Promise<Record<string, string>> {
  const out = await world.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn, Qualifier: version }));
  return out.Environment?.Variables ?? {};
}

describe('Workflow: function configuration', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  });

  it('publishes the configuration with the version, and an alarm rollback brings the old version and its environment back', async () => {
    // Prepare
    const alarm = uniqueName('config-errors');
    const parameter = `/${uniqueName('cfg')}/db-password`;
    const secret = uniqueName('cfg-stripe');
    await putParameter(parameter, 'db-pass-one');
    await secrets().send(new CreateSecretCommand({ Name: secret, SecretString: 'stripe-key-one' }));
    const target = await createFunctionTarget(
      world,
      {
        strategy: { type: 'steps', steps: [{ percent: 50, bakeSeconds: 5 }] },
        health: { alarms: [alarm], pollSeconds: 1 },
        configuration: { environment: { GREETING: 'hello', DB_PASSWORD: { parameter }, STRIPE_KEY: { secret } }, memorySize: 256 },
      },
      [alarm],
    );
    const firstRun = localOrchestrator();
    const first = await finished(world, firstRun, (await release(world, firstRun, target.name, 'r2', await functionPackage('v2'))).id);
    expect(first.status, first.reason).toBe('succeeded');
    const firstEnv = await environmentOf(world, target.function.name, first.toVersion!);

    // A second release with a changed configuration, rolled back by its alarm.
    await putParameter(parameter, 'db-pass-two');
    await world.targets.put({
      ...target,
      configuration: { environment: { GREETING: 'bonjour', DB_PASSWORD: { parameter }, STRIPE_KEY: { secret } }, memorySize: 256 },
    });
    let checks = 0;
    const orchestrator = localOrchestrator({
      wrapTask: (state, _fn, run) => async (input) => {
        if (state === 'CheckHealth' && ++checks === 2) {
          await new CloudWatchClient({}).send(new SetAlarmStateCommand({ AlarmName: alarm, StateValue: 'ALARM', StateReason: 'test' }));
        }
        return run(input);
      },
    });

    // Act
    const second = await finished(world, orchestrator, (await release(world, orchestrator, target.name, 'r3', await functionPackage('v3'))).id);

    // Assess
    expect(firstEnv).toMatchObject({
      GREETING: 'hello',
      DB_PASSWORD: 'db-pass-one',
      STRIPE_KEY: 'stripe-key-one',
      [CONFIG_DIGEST_ENV]: first.configuration?.digest,
    });
    expect(first.configuration?.pinned?.environment).toMatchObject({
      GREETING: { value: 'hello' },
      DB_PASSWORD: { parameter, version: 1 },
      STRIPE_KEY: { secret },
    });
    expect(second.status, second.reason).toBe('rolled_back');
    // The parameter moved on to version 2; the first deployment's record still names version 1.
    expect((await world.deployments.get(first.id))?.configuration?.pinned?.environment.DB_PASSWORD).toEqual({ parameter, version: 1 });
    expect(second.configuration?.pinned?.environment.DB_PASSWORD).toEqual({ parameter, version: 2 });
    expect(await environmentOf(world, target.function.name, second.toVersion!)).toMatchObject({ GREETING: 'bonjour', DB_PASSWORD: 'db-pass-two' });
    expect(second.configuration).toMatchObject({ fromDigest: first.configuration?.digest });
    expect(second.configuration?.changes.map((c) => `${c.key} ${c.change}`)).toEqual(['DB_PASSWORD changed', 'GREETING changed']);
    const alias = await aliasOf(world, target.function.name);
    expect(alias.FunctionVersion).toBe(first.toVersion);
    expect(await environmentOf(world, target.function.name, alias.FunctionVersion!)).toMatchObject({ GREETING: 'hello', DB_PASSWORD: 'db-pass-one' });
  });

  it('publishes a new version for the same code with a new configuration', async () => {
    // Prepare
    const target = await createFunctionTarget(world, { configuration: { environment: { MODE: 'a' } } });
    const zip = await functionPackage('same code');
    const run = localOrchestrator();
    const first = await finished(world, run, (await release(world, run, target.name, 'r2', zip)).id);
    await world.targets.put({ ...target, configuration: { environment: { MODE: 'b' } } });
    // Act
    const second = await finished(world, run, (await release(world, run, target.name, 'r3', zip)).id);
    const third = await finished(world, run, (await release(world, run, target.name, 'r4', zip)).id);
    // Assess
    expect(first.status, first.reason).toBe('succeeded');
    expect(second.status, second.reason).toBe('succeeded');
    expect(second.toVersion).not.toBe(first.toVersion);
    expect(second.configuration?.changes).toEqual([{ key: 'MODE', change: 'changed', from: '"a"', to: '"b"' }]);
    expect((await environmentOf(world, target.function.name, second.toVersion!)).MODE).toBe('b');
    // Same code and same configuration: already live.
    expect(third.toVersion).toBe(second.toVersion);
    expect(third.timeline.some((e) => /already live/.test(e.message ?? ''))).toBe(true);
  });

  describe('secrets never leak', () => {
    const restore: (() => void)[] = [];
    afterEach(() => {
      for (const undo of restore.splice(0)) undo();
    });

    it('keeps a parameter and a secret value out of every record, log line, event and API answer', async () => {
      // Prepare
      const parameterValue = `PARAM-${uniqueName('leak')}-VALUE`;
      const secretValue = `SECRET-${uniqueName('leak')}-VALUE`;
      const parameter = `/${uniqueName('leak')}/token`;
      const secret = uniqueName('leak-secret');
      await putParameter(parameter, parameterValue);
      await secrets().send(new CreateSecretCommand({ Name: secret, SecretString: secretValue }));
      const target = await createFunctionTarget(world, { configuration: { environment: { TOKEN: { parameter }, KEY: { secret } } } });
      const logged: string[] = [];
      for (const stream of [process.stdout, process.stderr]) {
        const write = stream.write.bind(stream);
        stream.write = ((chunk: unknown, ...rest: unknown[]) => {
          logged.push(String(chunk));
          return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
        }) as typeof stream.write;
        restore.push(() => {
          stream.write = write;
        });
      }
      // Every level and every Task's input event, through the global console (POWERTOOLS_DEV), which is spied on below.
      const saved = { POWERTOOLS_LOG_LEVEL: 'DEBUG', POWERTOOLS_DEV: 'true', POWERTOOLS_LOGGER_LOG_EVENT: 'true' };
      for (const [name, value] of Object.entries(saved)) {
        const was = process.env[name];
        process.env[name] = value;
        restore.push(() => {
          if (was === undefined) delete process.env[name];
          else process.env[name] = was;
        });
      }
      for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
        const spy = vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
          logged.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
        });
        restore.push(() => spy.mockRestore());
      }
      const events: unknown[] = [];
      const orchestrator = localOrchestrator(
        {},
        { onEventPublished: (detailType: string, detail: Record<string, unknown>) => events.push({ detailType, detail }) },
      );

      // Act
      const record = await finished(world, orchestrator, (await release(world, orchestrator, target.name, 'r2', await functionPackage('v2'))).id);
      const answer = await viaHandler(testRuntime().api as never)('GET', `/deployments/${record.id}`);

      // Assess
      expect(record.status, record.reason).toBe('succeeded');
      expect((await environmentOf(world, target.function.name, record.toVersion!)).KEY).toBe(secretValue);
      expect(answer.status).toBe(200);
      expect(answer.body.configuration).toMatchObject({ digest: record.configuration?.digest });
      const items = await new DynamoDBClient({}).send(new ScanCommand({ TableName: world.tableName }));
      expect(items.Items?.length).toBeGreaterThan(0);
      expect(logged.length).toBeGreaterThan(0);
      expect(events.length).toBeGreaterThan(0);
      for (const [where, text] of [
        ['the table', JSON.stringify(items.Items)],
        ['the logs', logged.join('\n')],
        ['the events', JSON.stringify(events)],
        ['the API answer', JSON.stringify(answer.body)],
      ] as const) {
        expect(text.includes(parameterValue), `the parameter's value is in ${where}`).toBe(false);
        expect(text.includes(secretValue), `the secret's value is in ${where}`).toBe(false);
      }
    });
  });
});
