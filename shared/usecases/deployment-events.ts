import { errorMessage } from '../domain/errors.js';
import { eventsForChange, type SlipwayEvent } from '../domain/events.js';
import type { Deployment } from '../domain/deployment.js';
import type { DeploymentEvents, DeploymentStore, DeploymentTransitions } from '../ports/index.js';

export type EventPublishFailure = (message: string, details: { detailType: string; detail: Record<string, unknown>; error: string }) => void;

const warn: EventPublishFailure = (message, details) => console.warn(`slipway: ${message}`, JSON.stringify(details));

/**
 * The one place deployment events come from: the DeploymentStore, wrapped so that it publishes what
 * each write changed — a new record's status, a status change, a change of the traffic share — as
 * soon as the write succeeded. Whatever writes a status (a workflow step, the API, intake)
 * announces it by writing it, and an update that changes neither (a retried step) announces nothing.
 *
 * A failed publish never fails the write's caller: the record is the source of truth, and a step
 * must not roll a deployment back because the bus was unavailable. The adapter and the SDK retry
 * briefly; what still fails is logged with the full event (`onPublishFailure`).
 *
 * The wrapper has the store's own type: every other method (present or added later) goes straight
 * to the store.
 */
export function withDeploymentEvents<S extends DeploymentStore & DeploymentTransitions>(
  store: S,
  events: DeploymentEvents,
  onPublishFailure: EventPublishFailure = warn,
): S {
  async function announce(before: Deployment | undefined, after: Deployment): Promise<void> {
    let changes: SlipwayEvent[];
    try {
      changes = eventsForChange(before, after);
    } catch (error) {
      onPublishFailure('a deployment event did not match its schema and was not published', {
        detailType: 'unknown',
        detail: { deploymentId: after.id, status: after.status },
        error: errorMessage(error),
      });
      return;
    }
    if (changes.length === 0) return;
    // A write's events (a traffic step and a status change) go out in one call.
    try {
      await events.publish(changes.map((event) => ({ detailType: event.detailType, detail: event.detail })));
    } catch (error) {
      for (const event of changes) {
        onPublishFailure(`could not publish "${event.detailType}" for ${after.id}; the deployment goes on`, {
          detailType: event.detailType,
          detail: event.detail,
          error: errorMessage(error),
        });
      }
    }
  }

  const create: DeploymentStore['create'] = async (deployment) => {
    const result = await store.create(deployment);
    if (result.created) await announce(undefined, result.deployment);
    return result;
  };
  const update: DeploymentStore['update'] = async (id, patch, entry, options) => {
    const change = await store.transition(id, patch, entry, options);
    if (!change) return undefined;
    await announce(change.before, change.after);
    return change.after;
  };
  const transition: DeploymentTransitions['transition'] = async (id, patch, entry, options) => {
    const change = await store.transition(id, patch, entry, options);
    if (change) await announce(change.before, change.after);
    return change;
  };
  const overrides: Record<PropertyKey, unknown> = { create, update, transition };
  return new Proxy(store, {
    get(target, property) {
      if (Object.hasOwn(overrides, property)) return overrides[property];
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
