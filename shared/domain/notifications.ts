/**
 * The message a target's webhook receives for a status change: Slack-compatible JSON (`text` for
 * any incoming-webhook consumer, `blocks` for Slack's layout). It carries no links, and every value
 * that comes from outside (reasons quote AWS errors, release names come from uploads) is escaped so
 * that it cannot turn into a mention (`<!channel>`) or a link.
 */
import type { DeploymentStatus } from './deployment.js';
import type { StatusChangedDetail } from './events.js';

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

type SlackText = { type: 'mrkdwn' | 'plain_text'; text: string };
export type SlackBlock = { type: 'section'; text: SlackText; fields?: SlackText[] } | { type: 'context'; elements: SlackText[] };

const ICONS: Record<DeploymentStatus, string> = {
  queued: ':inbox_tray:',
  waiting: ':hourglass_flowing_sand:',
  staging: ':package:',
  shifting: ':twisted_rightwards_arrows:',
  verifying: ':mag:',
  succeeded: ':white_check_mark:',
  rolled_back: ':rewind:',
  failed: ':x:',
  cancelled: ':no_entry_sign:',
  superseded: ':fast_forward:',
};

const WORDS: Record<DeploymentStatus, string> = {
  queued: 'is queued',
  waiting: 'is waiting for the target',
  staging: 'is staging',
  shifting: 'is shifting traffic',
  verifying: 'is verifying',
  succeeded: 'succeeded',
  rolled_back: 'was rolled back',
  failed: 'failed',
  cancelled: 'was cancelled',
  superseded: 'was superseded',
};

/** Slack's mrkdwn control characters; escaping them keeps text from becoming links or mentions. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** Slack shows at most 3000 characters in a section's text and 2000 in a field. */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function slackMessage(detail: StatusChangedDetail): SlackMessage {
  const target = escapeMrkdwn(detail.target);
  const release = escapeMrkdwn(detail.release);
  const headline = `${ICONS[detail.status]} ${target} release ${release} ${WORDS[detail.status]}`;
  const reason = detail.reason ? escapeMrkdwn(detail.reason) : undefined;
  const versions = detail.fromVersion || detail.toVersion ? `${escapeMrkdwn(detail.fromVersion ?? '–')} → ${escapeMrkdwn(detail.toVersion ?? '–')}` : '–';
  const fields: SlackText[] = [
    { type: 'mrkdwn', text: `*Target*\n${target}` },
    { type: 'mrkdwn', text: `*Release*\n${release}` },
    { type: 'mrkdwn', text: `*Status*\n${detail.status}` },
    { type: 'mrkdwn', text: `*Traffic on the release*\n${detail.trafficPercent}%` },
    { type: 'mrkdwn', text: `*Versions*\n${clip(versions, 1900)}` },
    { type: 'mrkdwn', text: `*Trigger*\n${detail.trigger}${detail.requestedBy ? ` (${clip(escapeMrkdwn(detail.requestedBy), 1800)})` : ''}` },
  ];
  const blocks: SlackBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: clip(`*${headline}*`, 3000) }, fields }];
  if (reason) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(reason, 3000) } });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `deployment ${escapeMrkdwn(detail.deploymentId)} · ${detail.at}` }] });
  return { text: clip(reason ? `${headline}: ${reason}` : headline, 3000), blocks };
}
