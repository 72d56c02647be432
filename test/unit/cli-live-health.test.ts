import { describe, expect, it } from 'vitest';
import { describeHealth } from '../../cli/live.js';

describe('CLI: what a bake watches', () => {
  it('names a function target’s alarm and probe', () => {
    expect(describeHealth({ name: 'hello', kind: 'function', health: { alarms: ['hello-errors'], probe: { url: 'https://x.example/health' } } })).toBe(
      'alarm hello-errors and probe https://x.example/health',
    );
  });

  it('names every signal of an app, its components’ included, each once', () => {
    const shop = {
      name: 'shop',
      kind: 'app',
      health: { alarms: ['shop-5xx'] },
      components: {
        api: { function: { name: 'shop-api' }, health: { alarms: ['shop-5xx'] } },
        worker: { function: { name: 'shop-worker' }, health: { alarms: ['shop-worker-errors'] } },
        web: { site: { bucket: 'b' }, health: { probe: { url: 'https://shop.example/' } } },
      },
    };
    expect(describeHealth(shop)).toBe('alarms shop-5xx, shop-worker-errors and probe https://shop.example/');
  });

  it('says nothing when nothing is watched', () => {
    expect(describeHealth({ name: 'quiet', kind: 'app', components: { api: { function: { name: 'a' } } } })).toBeUndefined();
  });
});
