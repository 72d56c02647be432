/** The port the delivery metrics read through: deployments of a period, without their timelines. */
import type { DeploymentOutcome } from '../domain/delivery-metrics.js';

export interface OutcomeQuery {
  /** One target's deployments; all deployments without it. */
  target?: string;
  /** Requested at or after this time. */
  since: Date;
  /** Requested before this time. */
  until: Date;
  /** Records to read at most. */
  limit: number;
}

export interface OutcomePage {
  /** Newest first (by `requestedAt`). */
  outcomes: DeploymentOutcome[];
  /** False when the period holds more than `limit`: the oldest were not read. */
  complete: boolean;
}

export interface DeploymentOutcomes {
  listOutcomes(query: OutcomeQuery): Promise<OutcomePage>;
}
