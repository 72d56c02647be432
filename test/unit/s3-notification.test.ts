import { describe, expect, it } from 'vitest';
import { objectsCreated } from '../../shared/usecases/s3-notification.js';

const NOW = new Date('2026-11-26T21:40:00.000Z');

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
    const { objects, problem } = objectsCreated(body, NOW);
    // Assess
    expect(problem).toBeUndefined();
    expect(objects).toEqual([{ bucket: 'b', rawKey: 'releases%2Fhello%2Fr2.zip', versionId: 'v1', etag: 'e1', eventTime: '2026-11-26T21:33:10.347Z' }]);
  });

  it('drops S3 test events silently and names what is wrong with anything else', () => {
    expect(objectsCreated(JSON.stringify({ Event: 's3:TestEvent' }), NOW)).toEqual({ objects: [] });
    expect(objectsCreated('not json', NOW).problem).toBe('message body is not JSON');
    expect(objectsCreated('{"hello":1}', NOW).problem).toBe('message is not an S3 event notification');
  });

  it('stamps a record without a usable event time with the time it was read', () => {
    // Prepare
    const object = { s3: { bucket: { name: 'b' }, object: { key: 'releases%2Fhello%2Fr2.zip' } } };
    const body = JSON.stringify({
      Records: [
        { eventName: 'ObjectCreated:Put', ...object },
        { eventName: 'ObjectCreated:Put', eventTime: 'yesterday', ...object },
      ],
    });
    // Act
    const { objects } = objectsCreated(body, NOW);
    // Assess
    expect(objects.map((o) => o.eventTime)).toEqual([NOW.toISOString(), NOW.toISOString()]);
  });
});
