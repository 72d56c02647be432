import { deflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { zipFiles } from '../../dev/zip.js';
import { rawZip, type RawEntry } from '../support/raw-zip.js';
import { createSiteTarget, originPath, siteKeys } from '../support/site-harness.js';
import { createWorld, finished, localOrchestrator, release, type World } from '../support/workflow-harness.js';
import type { SiteTarget } from '../../shared/domain/target.js';

const ok = (name: string, data = 'x'): RawEntry => ({ name, data });

const HOSTILE: [string, Buffer, string][] = [
  ['a path climbing out with ..', rawZip([ok('index.html'), ok('../escape.html')]), 'climbs out of the release'],
  ['an absolute path', rawZip([ok('index.html'), ok('/etc/passwd')]), 'absolute path'],
  ['a backslash path', rawZip([ok('index.html'), ok('assets\\app.js')]), 'backslashes'],
  ['a symlink', rawZip([ok('index.html'), { name: 'link', data: '/etc/passwd', unixMode: 0o120777 }]), 'symbolic link'],
  ['a duplicate path', rawZip([ok('index.html'), ok('index.html', 'other')]), 'appears twice'],
  ['an encrypted entry', rawZip([ok('index.html'), { name: 'secret.html', data: 'x', flags: 0x0801 }]), 'is encrypted'],
  [
    'a zip bomb ratio',
    rawZip([ok('index.html'), { name: 'bomb.bin', data: 'x'.repeat(100), method: 8, compressedSize: 100, uncompressedSize: 4 * 1024 ** 3 - 1 }]),
    'expands',
  ],
  ['a name that is not UTF-8', rawZip([ok('index.html'), { name: Buffer.from([0x66, 0xff, 0x2e, 0x68]), flags: 0x0800 }]), 'not valid UTF-8'],
  [
    'a stored entry whose sizes disagree',
    rawZip([ok('index.html'), { name: 'lie.html', data: 'x', uncompressedSize: 5000 }]),
    'declares 1 bytes stored and 5000 unpacked',
  ],
  ['a truncated archive', rawZip([ok('index.html'), ok('about.html')]).subarray(0, 60), 'not a zip'],
];

describe('Workflow: hostile and broken site zips', () => {
  let world: World;
  let target: SiteTarget;
  beforeAll(async () => {
    world = await createWorld();
    // r1 is live; every hostile release must leave it exactly so.
    target = await createSiteTarget(world, { limits: { maxEntries: 100 } });
    const orchestrator = localOrchestrator();
    const r1 = await release(world, orchestrator, target.name, 'r1', await zipFiles({ 'index.html': '<h1>r1</h1>' }));
    expect((await finished(world, orchestrator, r1.id)).status).toBe('succeeded');
  });

  it.each(HOSTILE)('fails %s with the reason and changes nothing live', async (_kind, zip, why) => {
    // Prepare
    const orchestrator = localOrchestrator();
    const name = `bad-${Math.random().toString(36).slice(2, 8)}`;
    // Act
    const { id } = await release(world, orchestrator, target.name, name, zip);
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('failed');
    expect(record.reason).toContain(why);
    expect(await originPath(target)).toBe('/www/r1');
    expect(await siteKeys(world, target, `www/${name}/`)).toEqual([]);
    expect(await siteKeys(world, target, 'www/r1/')).toEqual(['www/r1/index.html']);
  });

  it('fails a zip whose entry inflates past its declared size at the first staging attempt, without retries', async () => {
    // Prepare: a page that declares 100 bytes and inflates to 1 MiB
    const attempts: string[] = [];
    const orchestrator = localOrchestrator({
      wrapTask: (state, _fn, run) => async (input) => {
        attempts.push(state);
        return run(input);
      },
    });
    const zip = rawZip([ok('index.html'), { name: 'lie.html', data: deflateRawSync(Buffer.alloc(1024 * 1024, ' ')), method: 8, uncompressedSize: 100 }]);
    // Act
    const { id } = await release(world, orchestrator, target.name, 'size-liar', zip);
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('failed');
    expect(record.reason).toContain('"lie.html" declares 100 bytes unzipped but inflates to more');
    expect(attempts.filter((s) => s === 'StageSiteChunk')).toHaveLength(1);
    expect(await originPath(target)).toBe('/www/r1');
    expect(await siteKeys(world, target, 'www/size-liar/')).toEqual([]);
  });

  it('fails a zip with more entries than the target allows', async () => {
    // Prepare
    const orchestrator = localOrchestrator();
    const files = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`p${i}.html`, `${i}`]));
    // Act
    const { id } = await release(world, orchestrator, target.name, 'too-many', await zipFiles(files));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status).toBe('failed');
    expect(record.reason).toContain('more than 100 entries');
    expect(await originPath(target)).toBe('/www/r1');
  });

  it('removes what staging wrote when a later step fails before the switch', async () => {
    // Prepare: staging succeeds, then FinishSiteStaging keeps failing
    const orchestrator = localOrchestrator({
      wrapTask: (state, _fn, run) => async (input) => {
        if (state === 'FinishSiteStaging') throw Object.assign(new Error('injected'), { name: 'Lambda.ServiceException' });
        return run(input);
      },
    });
    // Act
    const { id } = await release(world, orchestrator, target.name, 'half', await zipFiles({ 'index.html': 'half', 'a.css': 'a' }));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status).toBe('failed');
    expect(await siteKeys(world, target, 'www/half/')).toEqual([]);
    expect(await siteKeys(world, target, `www/.slipway/staging/${id}/`)).toEqual([]);
    expect(await originPath(target)).toBe('/www/r1');
  });
});
