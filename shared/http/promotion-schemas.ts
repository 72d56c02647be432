/**
 * Schemas of the promotion routes: promote a release into a gated target, approve or reject a
 * promotion that awaits approval. Strict: an unknown field is an error.
 */
import { z } from 'zod';
import { releaseNameSchema as releaseName } from '../domain/names.js';

const reasonText = z.string().trim().min(1, 'must not be empty').max(1000, 'must be at most 1000 characters');

/** `POST /targets/{name}/promotions`: the named release of the upstream, or the newest eligible one. */
export const promotionRequestSchema = z.object({ release: releaseName.optional() }).strict();

/** `POST /deployments/{id}/approve` and `/reject`: why (required), recorded with who decided. */
export const approvalRequestSchema = z.object({ reason: reasonText }).strict();
