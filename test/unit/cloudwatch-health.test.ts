import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchHealthSignals } from '../../shared/adapters/aws/cloudwatch-health.js';
import { MissingResourceError, PERMANENT_ERRORS } from '../../shared/domain/errors.js';

// moto answers 500 for PutCompositeAlarm, so composite alarms are covered here, with a mock.
const cloudwatch = mockClient(CloudWatchClient);
const signals = () => new CloudWatchHealthSignals({ client: new CloudWatchClient({ region: 'us-east-1' }) });

beforeEach(() => {
  cloudwatch.reset();
});

describe('Class: CloudWatchHealthSignals', () => {
  describe('Method: alarmsFiring', () => {
    it('asks for metric and composite alarms alike', async () => {
      // Prepare
      cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'errors', StateValue: 'OK' }] });
      // Act
      await signals().alarmsFiring(['errors']);
      // Assess
      expect(cloudwatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, {
        AlarmNames: ['errors'],
        AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
      });
    });

    it('reports a composite alarm in ALARM', async () => {
      // Prepare
      cloudwatch.on(DescribeAlarmsCommand).resolves({
        MetricAlarms: [{ AlarmName: 'errors', StateValue: 'OK' }],
        CompositeAlarms: [{ AlarmName: 'service-health', StateValue: 'ALARM' }],
      });
      // Act
      const firing = await signals().alarmsFiring(['errors', 'service-health']);
      // Assess
      expect(firing).toEqual(['service-health']);
    });

    it('fails, naming them, when configured alarms do not exist', async () => {
      // Prepare
      cloudwatch.on(DescribeAlarmsCommand).resolves({ CompositeAlarms: [{ AlarmName: 'service-health', StateValue: 'OK' }] });
      // Act
      const failure = await signals()
        .alarmsFiring(['service-health', 'errros', 'latency'])
        .catch((error: unknown) => error);
      // Assess
      expect(failure).toBeInstanceOf(MissingResourceError);
      expect(PERMANENT_ERRORS).toContain((failure as Error).name);
      expect((failure as Error).message).toMatch(/"errros", "latency"/);
      expect((failure as Error).message).toMatch(/create (them|it)|fix the target/i);
      expect((failure as Error).message).not.toMatch(/service-health/);
    });

    it('asks in batches of 100 names and judges every batch', async () => {
      // Prepare
      const names = Array.from({ length: 150 }, (_, i) => `alarm-${i}`);
      cloudwatch.on(DescribeAlarmsCommand).callsFake((input: { AlarmNames: string[] }) => ({
        MetricAlarms: input.AlarmNames.map((name) => ({ AlarmName: name, StateValue: name === 'alarm-120' ? 'ALARM' : 'OK' })),
      }));
      // Act
      const firing = await signals().alarmsFiring(names);
      // Assess
      expect(cloudwatch.commandCalls(DescribeAlarmsCommand).map((call) => call.args[0].input.AlarmNames?.length)).toEqual([100, 50]);
      expect(firing).toEqual(['alarm-120']);
    });
  });
});
