/**
 * `slipway dev` drives a target's webhook the way the notify function's rule does in AWS: a real
 * deployment's status changes reach a receiver on loopback, and a receiver that always fails
 * leaves a dead letter in the dev table.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDeadLetterStore } from '../../shared/adapters/aws/dynamo-dead-letters.js';
import { DEV_NAMES } from '../../dev/dev-service.js';
import { functionPackage } from '../../dev/zip.js';
import { startDev, type DevInfo } from '../support/dev-process.js';

interface Receiver {
  url: string;
  bodies: { text: string }[];
  close(): Promise<void>;
}

async function startReceiver(status: number): Promise<Receiver> {
  const bodies: { text: string }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text: string });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const work = mkdtempSync(join(tmpdir(), 'slipway-e2e-notify-'));
let info: DevInfo;
let stopDev: () => Promise<void>;
let ok: Receiver;
let broken: Receiver;

beforeAll(async () => {
  const dev = await startDev(work);
  info = dev.info;
  stopDev = dev.stop;
  ok = await startReceiver(200);
  broken = await startReceiver(503);
});

afterAll(async () => {
  await stopDev?.();
  await ok?.close();
  await broken?.close();
});

async function setWebhook(target: string, webhook: { url: string; events?: string[] }): Promise<void> {
  const current = (await (await fetch(`${info.apiUrl}/targets/${target}`)).json()) as Record<string, unknown>;
  const put = await fetch(`${info.apiUrl}/targets/${target}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...current, notifications: { webhook } }),
  });
  expect(put.status, await put.clone().text()).toBe(200);
}

async function ship(target: string, release: string): Promise<void> {
  const zip = await functionPackage(`notify e2e ${release}`);
  await new S3Client({
    endpoint: info.awsEndpoint,
    region: info.region,
    forcePathStyle: true,
    credentials: { accessKeyId: 'e2e', secretAccessKey: 'e2e' },
  }).send(
    new PutObjectCommand({
      Bucket: info.artifactBucket,
      Key: `releases/${target}/${release}.zip`,
      Body: zip,
      Metadata: { sha256: createHash('sha256').update(zip).digest('hex') },
    }),
  );
}

describe('slipway dev: webhook notifications', () => {
  it('posts the deployment outcome to the target webhook', async () => {
    // Prepare
    await setWebhook('hello', { url: ok.url, events: ['queued', 'succeeded'] });
    // Act
    await ship('hello', 'n2');
    await until(() => (ok.bodies.length >= 2 ? true : undefined), 'two messages');
    await new Promise((r) => setTimeout(r, 500));
    // Assess: the listed statuses only (posts run concurrently, so in either order).
    const texts = ok.bodies.map((body) => body.text).sort();
    expect(texts).toEqual([
      ':inbox_tray: hello release n2 is queued',
      expect.stringMatching(/^:white_check_mark: hello release n2 succeeded: version \d+ is live$/),
    ]);
  });

  it('keeps a dead letter when the webhook keeps failing', async () => {
    // Prepare
    await setWebhook('hello', { url: broken.url, events: ['succeeded'] });
    const letters = new DynamoDeadLetterStore({
      tableName: DEV_NAMES.tableName,
      client: DynamoDBDocumentClient.from(
        new DynamoDBClient({ endpoint: info.awsEndpoint, region: info.region, credentials: { accessKeyId: 'e2e', secretAccessKey: 'e2e' } }),
      ),
    });
    // Act
    await ship('hello', 'n3');
    const [letter] = await until(
      async () => {
        const found = await letters.list('hello');
        return found.length ? found : undefined;
      },
      'a dead letter',
      60_000,
    );
    // Assess
    expect(broken.bodies).toHaveLength(3);
    expect(letter).toMatchObject({ target: 'hello', release: 'n3', status: 'succeeded', webhook: new URL(broken.url).origin });
    expect(letter!.attempts.map((a) => a.outcome)).toEqual(['HTTP 503', 'HTTP 503', 'HTTP 503']);
  });
});
