/**
 * The dashboard (web/) repeats the API's shapes in web/src/types.ts: it is a client of the public
 * API and imports nothing of the service. This checks that what the API's schemas answer fits what
 * the page reads. The type checks fail `npm run typecheck` (part of `npm test`); the enums are
 * compared at run time as well.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { ACTIVE_STATUSES as API_ACTIVE, TERMINAL_STATUSES as API_TERMINAL } from '../../shared/domain/deployment.js';
import type { deploymentListSchema, deploymentViewSchema, timelineEntrySchema } from '../../shared/http/control-schemas.js';
import type { deliveryMetricsSchema, metricsSchema, targetSummarySchema } from '../../shared/http/dashboard-schemas.js';
import type { problemSchema } from '../../shared/http/problems.js';
import type { targetListSchema } from '../../shared/http/schemas.js';
import type { windowViewSchema } from '../../shared/http/window-schemas.js';
import { deploymentViewSchema as deploymentView } from '../../shared/http/control-schemas.js';
import type * as Web from '../../web/src/types.js';
import { ACTIVE_STATUSES, TERMINAL_STATUSES, TRIGGERS } from '../../web/src/types.js';

describe("the dashboard's shapes against the API's schemas", () => {
  it('reads every answer it takes as the API writes it', () => {
    // Assess
    expectTypeOf<z.output<typeof timelineEntrySchema>>().toExtend<Web.TimelineEntry>();
    expectTypeOf<z.output<typeof deploymentViewSchema>>().toExtend<Web.Deployment>();
    expectTypeOf<z.output<typeof deploymentListSchema>>().toExtend<Web.DeploymentPage>();
    expectTypeOf<z.output<typeof targetSummarySchema>>().toExtend<Web.TargetSummary>();
    expectTypeOf<z.output<typeof metricsSchema>>().toExtend<Web.Metrics>();
    expectTypeOf<z.output<typeof deliveryMetricsSchema>>().toExtend<Web.MetricsReport>();
    expectTypeOf<z.output<typeof targetListSchema>['targets'][number]>().toExtend<Web.Target>();
    expectTypeOf<z.output<typeof windowViewSchema>>().toExtend<Web.TargetWindow>();
    expectTypeOf<z.output<typeof problemSchema>>().toExtend<Web.Problem>();
  });

  it('knows every status and every trigger a deployment can have', () => {
    // Act
    const triggers = deploymentView.shape.trigger.options;
    // Assess
    expect([...ACTIVE_STATUSES]).toEqual([...API_ACTIVE]);
    expect([...TERMINAL_STATUSES]).toEqual([...API_TERMINAL]);
    expect([...TRIGGERS].sort()).toEqual([...triggers].sort());
  });
});
