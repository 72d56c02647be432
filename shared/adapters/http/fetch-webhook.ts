import type { WebhookResponse, WebhookSender } from '../../ports/notify.js';

/** Posts with Node's fetch; no redirects are followed (a webhook that moves is a configuration error). */
export class FetchWebhookSender implements WebhookSender {
  async post(url: string, body: unknown, options: { timeoutMs: number }): Promise<WebhookResponse> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'slipway-notify' },
      body: JSON.stringify(body),
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    // The body is not needed, but reading it lets the connection be reused.
    await response.arrayBuffer().catch(() => undefined);
    const retryAfter = Number(response.headers.get('retry-after'));
    return {
      status: response.status,
      ...(Number.isFinite(retryAfter) && retryAfter >= 0 && response.headers.has('retry-after') ? { retryAfterSeconds: retryAfter } : {}),
    };
  }
}
