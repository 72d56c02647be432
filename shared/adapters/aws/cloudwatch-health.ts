import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { createHash } from 'node:crypto';
import type { HealthSignals, ProbeResult } from '../../ports/index.js';
import { rethrowTransient } from './sdk-errors.js';

/** DescribeAlarms accepts at most 100 names per call. */
const NAMES_PER_CALL = 100;

export class CloudWatchHealthSignals implements HealthSignals {
  private readonly client: CloudWatchClient;

  constructor(options: { client?: CloudWatchClient; fetch?: typeof fetch } = {}) {
    this.client = options.client ?? new CloudWatchClient({});
    this.fetchImpl = options.fetch ?? fetch;
  }

  private readonly fetchImpl: typeof fetch;

  async alarmsFiring(names: string[]): Promise<string[]> {
    const firing: string[] = [];
    for (let i = 0; i < names.length; i += NAMES_PER_CALL) {
      const batch = names.slice(i, i + NAMES_PER_CALL);
      try {
        const out = await this.client.send(new DescribeAlarmsCommand({ AlarmNames: batch, MaxRecords: NAMES_PER_CALL }));
        const alarms = [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])];
        for (const alarm of alarms) if (alarm.StateValue === 'ALARM' && alarm.AlarmName) firing.push(alarm.AlarmName);
      } catch (error) {
        rethrowTransient(error, 'reading alarms');
      }
    }
    return firing;
  }

  async probe(probe: { url: string; expectStatus: number; timeoutMs: number }): Promise<ProbeResult> {
    try {
      const res = await this.fetchImpl(probe.url, { signal: AbortSignal.timeout(probe.timeoutMs), redirect: 'manual' });
      const body = Buffer.from(await res.arrayBuffer());
      if (res.status !== probe.expectStatus) {
        return { failure: `probe ${probe.url} answered ${res.status}, expected ${probe.expectStatus}` };
      }
      return { bodySha256: createHash('sha256').update(body).digest('hex') };
    } catch (error) {
      const why = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${probe.timeoutMs} ms` : String((error as Error).cause ?? error);
      return { failure: `probe ${probe.url} failed: ${why}` };
    }
  }
}
