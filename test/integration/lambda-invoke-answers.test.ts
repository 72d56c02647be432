import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAliasedFunction } from '../../dev/provision.js';
import { functionPackage } from '../../dev/zip.js';
import { uniqueName, useMoto } from '../support/aws-env.js';
import { nextHookAnswers } from '../support/hook-answers.js';

let lambda: LambdaClient;
beforeAll(() => {
  useMoto();
  lambda = new LambdaClient({});
});

async function invoke(functionName: string, qualifier?: string) {
  const out = await lambda.send(new InvokeCommand({ FunctionName: functionName, ...(qualifier ? { Qualifier: qualifier } : {}), Payload: Buffer.from('{}') }));
  return { status: out.StatusCode, error: out.FunctionError, payload: Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8') };
}

describe("the emulator's canned Invoke answers", () => {
  it('keeps one queue per function, taken in order by name, ARN or qualified name, then leaves Invoke to moto', async () => {
    // Prepare
    const first = uniqueName('answers-a');
    const second = uniqueName('answers-b');
    const zip = await functionPackage('hook');
    await createAliasedFunction(first, zip);
    await createAliasedFunction(second, zip);
    await nextHookAnswers(first, ['"a1"', '"a2"']);
    await nextHookAnswers(`arn:aws:lambda:us-east-1:123456789012:function:${second}:live`, ['"b1"']);
    await nextHookAnswers(first, ['"a3"']);
    // Act
    const b1 = await invoke(second, 'live');
    const a1 = await invoke(first);
    const a2 = await invoke(`${first}:live`);
    const a3 = await invoke(`arn:aws:lambda:us-east-1:123456789012:function:${first}`);
    const moto = await invoke(second);
    // Assess
    expect([b1, a1, a2, a3].map((answer) => answer.payload)).toEqual(['"b1"', '"a1"', '"a2"', '"a3"']);
    expect(a1).toMatchObject({ status: 200, error: undefined });
    expect(moto.status).toBe(200);
    expect(moto.payload).not.toMatch(/^"[ab]\d"$/);
  });

  it("answers a payload over Lambda's 6 MB as Lambda does: an Unhandled function error", async () => {
    // Prepare
    const name = uniqueName('answers-big');
    await createAliasedFunction(name, await functionPackage('hook'));
    await nextHookAnswers(name, [JSON.stringify('x'.repeat(6 * 1024 * 1024))]);
    // Act
    const answer = await invoke(name);
    // Assess
    expect(answer.error).toBe('Unhandled');
    expect(JSON.parse(answer.payload)).toMatchObject({ errorType: 'Function.ResponseSizeTooLarge' });
  });

  it('refuses a control request without a function name or with results that are not strings', async () => {
    // Act
    const refused = await Promise.all(
      [{ results: ['"x"'] }, { functionName: 'f', results: [1] }, 'not json'].map((body) =>
        fetch(`${process.env.AWS_ENDPOINT_URL}/__emulator/lambda/answers`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) }),
      ),
    );
    // Assess
    expect(refused.map((r) => r.status)).toEqual([400, 400, 400]);
  });
});
