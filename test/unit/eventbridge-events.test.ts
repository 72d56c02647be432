/**
 * The EventBridge adapter's batching and entry retries: moto accepts every entry, so the per-entry
 * failures PutEvents can report are driven here with aws-sdk-client-mock.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeDeploymentEvents } from '../../shared/adapters/aws/eventbridge-events.js';

const eventbridge = mockClient(EventBridgeClient);
const events = () => new EventBridgeDeploymentEvents({ client: new EventBridgeClient({ region: 'us-east-1' }), busName: 'bus', retryDelayMs: 1 });
const event = (n: number) => ({ detailType: `Type ${n}`, detail: { n } });

beforeEach(() => eventbridge.reset());

describe('Adapter: EventBridgeDeploymentEvents', () => {
  it('sends the events of one call in one PutEvents, ten at most each, in order', async () => {
    // Prepare
    eventbridge
      .on(PutEventsCommand)
      .callsFake(async (input: { Entries: unknown[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'e' })) }));
    // Act
    await events().publish([event(1), event(2)]);
    await events().publish(Array.from({ length: 12 }, (_, i) => event(i)));
    // Assess
    const calls = eventbridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries?.map((e) => e.DetailType));
    expect(calls).toEqual([['Type 1', 'Type 2'], Array.from({ length: 10 }, (_, i) => `Type ${i}`), ['Type 10', 'Type 11']]);
    expect(eventbridge.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries?.[0]).toEqual({
      EventBusName: 'bus',
      Source: 'slipway',
      DetailType: 'Type 1',
      Detail: '{"n":1}',
    });
  });

  it('sends again only the entries PutEvents failed with a retryable code', async () => {
    // Prepare
    eventbridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: 'e1' }, { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }] })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e2' }] });
    // Act
    await events().publish([event(1), event(2)]);
    // Assess
    const calls = eventbridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries?.map((e) => e.DetailType));
    expect(calls).toEqual([['Type 1', 'Type 2'], ['Type 2']]);
  });

  it('names the events a permanent entry failure left unpublished', async () => {
    // Prepare
    eventbridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ EventId: 'e1' }, { ErrorCode: 'MalformedDetail', ErrorMessage: 'bad detail' }] });
    // Act
    const failure = events().publish([event(1), event(2)]);
    // Assess
    await expect(failure).rejects.toThrow('PutEvents rejected the event (Type 2) on bus: MalformedDetail: bad detail (attempt 1)');
    expect(eventbridge.commandCalls(PutEventsCommand)).toHaveLength(1);
  });
});
