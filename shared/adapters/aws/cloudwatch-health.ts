import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { MissingResourceError } from '../../domain/errors.js';
import type { HealthSignals, ProbeRequest, ProbeResult } from '../../ports/index.js';
import { HttpProbe } from '../http/http-probe.js';
import { rethrowTransient } from './sdk-errors.js';

/** DescribeAlarms accepts at most 100 names per call. */
const NAMES_PER_CALL = 100;

export class CloudWatchHealthSignals implements HealthSignals {
  private readonly client: CloudWatchClient;
  private readonly prober: HttpProbe;

  constructor(options: { client?: CloudWatchClient; prober?: HttpProbe } = {}) {
    this.client = options.client ?? new CloudWatchClient({});
    this.prober = options.prober ?? new HttpProbe();
  }

  /**
   * Metric and composite alarms alike: without `AlarmTypes`, DescribeAlarms answers with metric
   * alarms only, and a composite alarm would never be judged (its role needs DescribeAlarms on
   * `*` for that). A configured name CloudWatch does not know is an error, never a pass.
   */
  async alarmsFiring(names: string[]): Promise<string[]> {
    const wanted = [...new Set(names)];
    const firing: string[] = [];
    const found = new Set<string>();
    for (let i = 0; i < wanted.length; i += NAMES_PER_CALL) {
      const batch = wanted.slice(i, i + NAMES_PER_CALL);
      try {
        const out = await this.client.send(
          new DescribeAlarmsCommand({ AlarmNames: batch, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], MaxRecords: NAMES_PER_CALL }),
        );
        for (const alarm of [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])]) {
          if (!alarm.AlarmName) continue;
          found.add(alarm.AlarmName);
          if (alarm.StateValue === 'ALARM') firing.push(alarm.AlarmName);
        }
      } catch (error) {
        rethrowTransient(error, 'reading alarms');
      }
    }
    const missing = wanted.filter((name) => !found.has(name));
    if (missing.length > 0) {
      const list = missing.map((name) => `"${name}"`).join(', ');
      throw new MissingResourceError(
        `${missing.length === 1 ? 'alarm' : 'alarms'} ${list} of the target's health.alarms ${missing.length === 1 ? 'does' : 'do'} not exist in CloudWatch (in this account and region), so health cannot be judged: create ${missing.length === 1 ? 'it' : 'them'}, or fix the target's health.alarms`,
      );
    }
    return firing;
  }

  probe(probe: ProbeRequest): Promise<ProbeResult> {
    return this.prober.probe(probe);
  }
}
