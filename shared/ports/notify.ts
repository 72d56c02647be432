/** What the notify function needs: a way to post a webhook and a place for what could not be delivered. */

export interface WebhookResponse {
  status: number;
  /** From a Retry-After header in seconds, when the receiver sent one. */
  retryAfterSeconds?: number;
}

export interface WebhookSender {
  /** POSTs JSON; resolves with the response status, rejects when no response arrived (network, timeout). */
  post(url: string, body: unknown, options: { timeoutMs: number }): Promise<WebhookResponse>;
}

export interface DeliveryAttempt {
  at: string;
  /** `HTTP 503`, `timed out after 5000 ms`, `connection refused`, … */
  outcome: string;
}

/** A notification that was never delivered, kept so it can be read (and sent) later. */
export interface DeadLetter {
  target: string;
  deploymentId: string;
  release: string;
  status: string;
  /** The webhook's origin only: the path of an incoming-webhook URL is its secret. */
  webhook: string;
  /** The JSON body that was to be posted. */
  payload: unknown;
  attempts: DeliveryAttempt[];
  error: string;
  at: string;
}

export interface DeadLetterStore {
  put(letter: DeadLetter): Promise<void>;
  /** Newest first. */
  list(target: string, options?: { limit?: number }): Promise<DeadLetter[]>;
}
