import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ObjectsNotDeletedError, S3SiteStore } from '../../shared/adapters/aws/s3-site-store.js';
import { parseWith, siteTargetSchema } from '../../shared/domain/target.js';
import { cleanUpStaging, pruneReleases } from '../../shared/usecases/site/retention.js';
import { rejection } from '../support/rejection.js';

describe('Class: S3SiteStore', () => {
  const client = new S3Client({ region: 'us-east-1' });
  const s3Mock = mockClient(client);
  const store = new S3SiteStore({ client });
  const keys = ['www/r1/index.html', 'www/r1/app.js', 'www/r1/locked.css'];

  beforeEach(() => {
    s3Mock.reset();
    s3Mock.on(ListObjectsV2Command).resolves({ Contents: keys.map((Key) => ({ Key })) });
  });

  describe('Method: deletePrefix', () => {
    it('deletes every key under the prefix in one call when S3 reports no errors', async () => {
      // Prepare
      s3Mock.on(DeleteObjectsCommand).resolves({});
      // Act
      const deleted = await store.deletePrefix('www-origin', 'www/r1/');
      // Assess
      expect(deleted).toBe(3);
      expect(s3Mock).toReceiveCommandTimes(DeleteObjectsCommand, 1);
      expect(s3Mock).toReceiveCommandWith(DeleteObjectsCommand, {
        Bucket: 'www-origin',
        Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
      });
    });

    it('tries the keys S3 reported as not deleted once more, and only those', async () => {
      // Prepare
      s3Mock
        .on(DeleteObjectsCommand)
        .resolvesOnce({ Errors: [{ Key: 'www/r1/app.js', Code: 'InternalError', Message: 'We encountered an internal error.' }] })
        .resolves({});
      // Act
      const deleted = await store.deletePrefix('www-origin', 'www/r1/');
      // Assess
      expect(deleted).toBe(3);
      expect(s3Mock).toReceiveCommandTimes(DeleteObjectsCommand, 2);
      expect(s3Mock).toReceiveNthCommandWith(DeleteObjectsCommand, 2, {
        Bucket: 'www-origin',
        Delete: { Objects: [{ Key: 'www/r1/app.js' }], Quiet: true },
      });
    });

    it('throws an error naming each key S3 still did not delete and its error code', async () => {
      // Prepare
      s3Mock.on(DeleteObjectsCommand).resolves({
        Errors: [
          { Key: 'www/r1/locked.css', Code: 'AccessDenied', Message: 'Access Denied' },
          { Key: 'www/r1/app.js', Code: 'InternalError' },
        ],
      });
      // Act
      const error = await rejection(store.deletePrefix('www-origin', 'www/r1/'));
      // Assess
      expect(error).toBeInstanceOf(ObjectsNotDeletedError);
      expect((error as ObjectsNotDeletedError).failures).toEqual([
        { key: 'www/r1/locked.css', code: 'AccessDenied', message: 'Access Denied' },
        { key: 'www/r1/app.js', code: 'InternalError' },
      ]);
      expect(error.message).toContain('S3 did not delete 2 object(s) of s3://www-origin');
      expect(error.message).toContain('www/r1/locked.css (AccessDenied: Access Denied)');
      expect(error.message).toContain('www/r1/app.js (InternalError)');
      expect(s3Mock).toReceiveCommandTimes(DeleteObjectsCommand, 2);
    });
  });

  describe('Site retention', () => {
    it('logs staging records S3 would not delete, with key and code, instead of passing over them', async () => {
      // Prepare
      const target = parseWith(
        siteTargetSchema,
        { name: 'www', kind: 'site', site: { bucket: 'www-origin', prefix: 'www/', distributionId: 'E2QWRUHAPOMQZL' } },
        'target',
      );
      s3Mock.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'www/.slipway/staging/d-1/0.json' }] });
      s3Mock.on(DeleteObjectsCommand).resolves({ Errors: [{ Key: 'www/.slipway/staging/d-1/0.json', Code: 'AccessDenied' }] });
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      // Act
      const line = await cleanUpStaging(store, target, 'd-1');
      // Assess
      expect(line).toContain('www/.slipway/staging/d-1/0.json (AccessDenied)');
      expect(warn).toHaveBeenCalledWith(line);
      warn.mockRestore();
    });

    it('throws from release retention what S3 would not delete, so Finalize logs it', async () => {
      // Prepare
      const target = parseWith(
        siteTargetSchema,
        { name: 'www', kind: 'site', site: { bucket: 'www-origin', prefix: 'www/', distributionId: 'E2QWRUHAPOMQZL' }, keepReleases: 2 },
        'target',
      );
      const manifest = (createdAt: string) => ({ Body: { transformToString: async () => JSON.stringify({ release: 'x', createdAt, files: {} }) } as never });
      s3Mock.on(ListObjectsV2Command, { Delimiter: '/' }).resolves({ CommonPrefixes: [{ Prefix: 'www/r1/' }, { Prefix: 'www/r2/' }, { Prefix: 'www/r3/' }] });
      s3Mock
        .on(GetObjectCommand)
        .callsFake((input: { Key: string }) => manifest(input.Key.endsWith('/r1.json') ? '2026-01-01T00:00:00Z' : '2026-02-01T00:00:00Z'));
      s3Mock.on(ListObjectsV2Command, { Prefix: 'www/.slipway/manifests/r1.json' }).resolves({ Contents: [{ Key: 'www/.slipway/manifests/r1.json' }] });
      s3Mock.on(DeleteObjectsCommand).resolves({ Errors: [{ Key: 'www/.slipway/manifests/r1.json', Code: 'AccessDenied' }] });
      // Act
      const error = await rejection(pruneReleases(store, target, new Set(['r3', 'r2'])));
      // Assess
      expect(error).toBeInstanceOf(ObjectsNotDeletedError);
      expect(error.message).toContain('www/.slipway/manifests/r1.json (AccessDenied)');
    });
  });
});
