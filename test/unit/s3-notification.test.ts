import { describe, expect, it } from 'vitest';
import { objectsCreated } from '../../shared/usecases/s3-notification.js';

describe('Function: objectsCreated', () => {
  it('reads bucket, raw key, version, ETag and time from ObjectCreated records', () => {
    // Prepare
    const body = JSON.stringify({
      Records: [
        {
          eventName: 'ObjectCreated:Put',
          eventTime: '2026-11-26T21:33:10.347213',
          s3: { bucket: { name: 'b' }, object: { key: 'releases%2Fhello%2Fr2.zip', versionId: 'v1', eTag: 'e1' } },
        },
        { eventName: 'ObjectRemoved:Delete', s3: { bucket: { name: 'b' }, object: { key: 'k' } } },
      ],
    });
    // Act
    const { objects, problem } = objectsCreated(body);
    // Assess
    expect(problem).toBeUndefined();
    expect(objects).toEqual([
      { bucket: 'b', rawKey: 'releases%2Fhello%2Fr2.zip', versionId: 'v1', etag: 'e1', eventTime: '2026-11-26T21:33:10.347Z' },
    ]);
  });

  it('drops S3 test events silently and names what is wrong with anything else', () => {
    expect(objectsCreated(JSON.stringify({ Event: 's3:TestEvent' }))).toEqual({ objects: [] });
    expect(objectsCreated('not json').problem).toBe('message body is not JSON');
    expect(objectsCreated('{"hello":1}').problem).toBe('message is not an S3 event notification');
  });
});
