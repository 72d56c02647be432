/**
 * The API's contract: the request and answer schemas the API parses with, and their types, in the
 * one module the CLI imports. Each schema is declared once, in the `*-schemas.ts` module next to
 * the routes that enforce it; this module gathers them and names their types, so the CLI checks an
 * answer with the very schema the API checked it with on the way out (and the OpenAPI document
 * shows), and a change to a route's answer reaches the client with it.
 *
 * Answers are parsed by the API before they leave (shared/http/answers.ts) and by the CLI when they
 * arrive (cli/api-client.ts ANSWERS). The dependency points one way: cli/ imports this, nothing
 * under shared/ imports cli/.
 */
import type { z } from 'zod';
import type { cancelRequestSchema, deploymentListSchema, deploymentTimelineSchema, promoteRequestSchema } from './control-schemas.js';
import type { approvalRequestSchema, promotionRequestSchema } from './promotion-schemas.js';
import type { deployRequestSchema, rollbackRequestSchema, targetAppliedSchema, targetDeploymentsSchema } from './schemas.js';
import type {
  deployHookCallRequestSchema,
  deployHookCreatedSchema,
  deployHookCreateRequestSchema,
  deployHookListSchema,
  deployHookViewSchema,
  releaseUploadRequestSchema,
  releaseUploadResponseSchema,
} from './upload-hook-schemas.js';
import type { suggestionsViewSchema, windowViewSchema } from './window-schemas.js';
import type { pipelineViewSchema } from './pipeline-schemas.js';
import type { deliveryMetricsSchema, metricsSchema, summarySchema, targetSummarySchema } from './dashboard-schemas.js';

export {
  cancelRequestSchema,
  DEFAULT_LIST_LIMIT,
  deploymentListSchema,
  deploymentsQuerySchema,
  deploymentTimelineSchema,
  deploymentViewSchema,
  MAX_LIST_LIMIT,
  promoteRequestSchema,
  timelineEntrySchema,
} from './control-schemas.js';
export {
  DEFAULT_HISTORY_LIMIT,
  deployRequestSchema,
  historyQuerySchema,
  MAX_HISTORY_LIMIT,
  notBeforeSchema,
  rollbackRequestSchema,
  targetApplyQuerySchema,
  targetAppliedSchema,
  targetConfigRequestSchema,
  targetDeploymentsSchema,
  targetListSchema,
} from './schemas.js';
export {
  deployHookCallRequestSchema,
  deployHookCreatedSchema,
  deployHookCreateRequestSchema,
  deployHookListSchema,
  deployHookViewSchema,
  releaseUploadRequestSchema,
  releaseUploadResponseSchema,
} from './upload-hook-schemas.js';
export { approvalRequestSchema, promotionRequestSchema } from './promotion-schemas.js';
export { suggestionsQuerySchema, suggestionsViewSchema, windowQuerySchema, windowViewSchema } from './window-schemas.js';
export { pipelineViewSchema } from './pipeline-schemas.js';
export { deliveryMetricsSchema, metricsQuerySchema, metricsSchema, summarySchema, targetSummarySchema } from './dashboard-schemas.js';

// Requests, as a client writes them (before defaults).
export type DeployRequest = z.input<typeof deployRequestSchema>;
export type RollbackRequest = z.input<typeof rollbackRequestSchema>;
export type CancelRequest = z.input<typeof cancelRequestSchema>;
export type PromoteRequest = z.input<typeof promoteRequestSchema>;
export type PromotionRequest = z.input<typeof promotionRequestSchema>;
export type ApprovalRequest = z.input<typeof approvalRequestSchema>;
export type ReleaseUploadRequest = z.input<typeof releaseUploadRequestSchema>;
export type DeployHookCreateRequest = z.input<typeof deployHookCreateRequestSchema>;
export type DeployHookCallRequest = z.input<typeof deployHookCallRequestSchema>;

// Answers, as a client reads them (parsed). A deployment is shared/domain/deployment.ts DeploymentView.
/** `PUT /targets/{name}`: the stored target, its configuration changes and the deployment that started, if any. */
export type TargetApplied = z.infer<typeof targetAppliedSchema>;
/** `GET /targets/{name}/deployments`. */
export type TargetDeployments = z.infer<typeof targetDeploymentsSchema>;
/** `GET /deployments`: one page. */
export type DeploymentPage = z.infer<typeof deploymentListSchema>;
/** `GET /deployments/{id}/events`. Not `DeploymentEvents`: that is the event-bus port (shared/ports). */
export type DeploymentTimeline = z.infer<typeof deploymentTimelineSchema>;
/** `POST /targets/{name}/releases`: where to PUT the zip and the headers the PUT must carry. */
export type ReleaseUpload = z.infer<typeof releaseUploadResponseSchema>;
/** A hook as listed; the secret is only in DeployHookCreated. Not the stored DeployHook (shared/domain). */
export type DeployHookView = z.infer<typeof deployHookViewSchema>;
export type DeployHookCreated = z.infer<typeof deployHookCreatedSchema>;
export type DeployHookList = z.infer<typeof deployHookListSchema>;
export type WindowView = z.infer<typeof windowViewSchema>;
export type WaitingDeployment = WindowView['waiting'][number];
export type WindowSuggestions = z.infer<typeof suggestionsViewSchema>;
/** `GET /targets/{name}/pipeline`. */
export type PipelineView = z.infer<typeof pipelineViewSchema>;
export type PipelineEnvironmentView = PipelineView['environments'][number];
/** `GET /summary`: every target at a glance. */
export type Summary = z.infer<typeof summarySchema>;
export type TargetSummaryView = z.infer<typeof targetSummarySchema>;
/** `GET /metrics`: delivery metrics of a period, overall and per target. */
export type DeliveryMetricsView = z.infer<typeof deliveryMetricsSchema>;
export type MetricsView = z.infer<typeof metricsSchema>;
