import { isTerminal, type DeploymentView } from '../shared/domain/deployment.js';
import { planSteps, strategySchema, type TrafficStep } from '../shared/domain/strategy.js';
import { formatInZone } from '../shared/domain/window.js';
import type { StoredTarget } from './api-client.js';
import type { ProgressEvent } from './follow.js';
import { formatDuration, formatTimelineEntry, paintStatus, type OutputStream, type Style } from './output.js';
import { formatLongDuration, waitOf } from './time.js';

/** A bake in progress: which traffic step, and when the workflow moves on unless health fails. */
interface Bake {
  percent: number;
  seconds: number;
  endsAt: number;
  promoted?: boolean;
}

/**
 * Turns what the follower sees into what a person wants to read: each timeline entry, the bake a
 * traffic step starts (from the target's strategy: the timeline says where traffic is, the
 * strategy how long it stays there), and the health verdict when a bake ends. The workflow only
 * moves past a bake after every health check in it passed, so the next step *is* that verdict; a
 * failed check shows as the rollback entry naming the alarm or the probe. A deployment waiting for
 * its window or schedule says until when (in `timezone`, the user's) and why, and once it starts,
 * how long it waited.
 */
export class DeploymentNarrator {
  readonly #style: Style;
  readonly #plan: TrafficStep[] | undefined;
  readonly #health: string | undefined;
  readonly #timezone: string;
  #bake: Bake | undefined;

  constructor(style: Style, target?: StoredTarget, options: { timezone?: string } = {}) {
    this.#style = style;
    this.#plan = target ? planOf(target) : undefined;
    this.#health = target ? describeHealth(target) : undefined;
    this.#timezone = options.timezone ?? 'UTC';
  }

  /** The lines to print for one progress event (indented by the caller). */
  lines(event: ProgressEvent, now: Date): string[] {
    const { startedAt } = event.deployment;
    if (event.kind === 'status') {
      const line = formatTimelineEntry({ at: now.toISOString(), step: 'status', status: event.status }, startedAt, this.#style);
      const startsLater = event.deployment.startsAt !== null && Date.parse(event.deployment.startsAt) > now.getTime();
      const until = event.status === 'waiting' && startsLater ? this.#waitingUntil(event.deployment, event.deployment.reason ?? undefined) : undefined;
      return [until ? `${line}  ${this.#style.dim('·')} ${until}` : line];
    }
    if (event.kind === 'traffic') {
      return [formatTimelineEntry({ at: now.toISOString(), step: '', trafficPercent: event.trafficPercent }, startedAt, this.#style)];
    }
    const { entry } = event;
    const out: string[] = [];
    const at = Date.parse(entry.at);
    if (entry.step === 'promote') {
      if (this.#bake) this.#bake.promoted = true;
    } else if (this.#bake && (entry.step === 'shift' || entry.step === 'finalize' || entry.step === 'invalidate' || entry.status === 'succeeded')) {
      // Without alarms or a probe a bake is only a wait: there is no verdict to report.
      if (this.#health) out.push(this.#healthVerdict(this.#bake, this.#health, at, startedAt));
      this.#bake = undefined;
    } else if (entry.step === 'rollback' || (entry.status !== undefined && isTerminal(entry.status))) {
      this.#bake = undefined;
    }
    let line = formatTimelineEntry(entry, startedAt, this.#style);
    const { deployment } = event;
    if (
      entry.step === 'window' &&
      entry.status === 'waiting' &&
      deployment.status === 'waiting' &&
      entry === deployment.timeline.findLast((e) => e.status === 'waiting')
    ) {
      // The newest waiting entry of a deployment still waiting for its window: until when, in the user's time zone.
      const until = this.#waitingUntil(deployment, entry.message);
      if (until) line = `${formatTimelineEntry({ ...entry, message: undefined }, startedAt, this.#style)}  ${this.#style.dim('·')} ${until}`;
    }
    if (entry.step === 'lock' && entry.status === 'staging') {
      const wait = waitOf(deployment, now);
      if (wait?.until === entry.at)
        line += `  ${this.#style.dim(`· after waiting ${formatLongDuration(wait.ms)} (${wait.kind}${wait.promoted ? ', then promoted' : ''})`)}`;
    }
    const bakeSeconds = entry.step === 'shift' && entry.trafficPercent !== undefined ? this.#bakeSecondsAt(entry.trafficPercent) : undefined;
    if (bakeSeconds !== undefined && bakeSeconds > 0 && Number.isFinite(at)) {
      this.#bake = { percent: entry.trafficPercent!, seconds: bakeSeconds, endsAt: at + bakeSeconds * 1000 };
      line += `  ${this.#style.dim(`· baking ${formatDuration(bakeSeconds * 1000)}${this.#health ? `, watching ${this.#health}` : ''}`)}`;
    }
    out.push(line);
    return out;
  }

  /** `waiting until 2026-11-30 02:00 GMT+1 (<reason>)`, when the deployment knows when it starts. */
  #waitingUntil(deployment: DeploymentView, reason: string | undefined): string | undefined {
    if (!deployment.startsAt) return undefined;
    return `waiting until ${formatInZone(new Date(deployment.startsAt), this.#timezone)}${reason ? ` (${reason})` : ''}`;
  }

  /**
   * The live status line at a terminal: `shifting · 50% traffic · bake 3s left · 12s`, or while
   * it waits `waiting · starts in 2h13m, 2026-11-30 02:00 GMT+1` (once that time has passed, or
   * with none known: why it still waits, e.g. for another deployment or the traffic gate).
   */
  statusLine(deployment: DeploymentView, now: Date, spinner: string): string {
    if (deployment.status === 'waiting') {
      const parts = [`${spinner} ${paintStatus(deployment.status, this.#style)}`];
      const left = deployment.startsAt ? Date.parse(deployment.startsAt) - now.getTime() : Number.NaN;
      if (left > 0) parts.push(`starts in ${formatLongDuration(left)}, ${formatInZone(new Date(deployment.startsAt!), this.#timezone)}`);
      else if (deployment.reason) parts.push(deployment.reason);
      else if (deployment.startsAt) parts.push(`starting (due ${formatInZone(new Date(deployment.startsAt), this.#timezone)})`);
      return parts.join(' · ');
    }
    const parts = [`${spinner} ${paintStatus(deployment.status, this.#style)}`, `${deployment.trafficPercent}% traffic`];
    if (this.#bake && !this.#bake.promoted) {
      const left = this.#bake.endsAt - now.getTime();
      const seconds = Math.ceil(left / 1000);
      parts.push(left > 0 ? `bake ${seconds < 60 ? `${seconds}s` : formatDuration(seconds * 1000)} left` : 'bake over, checking health');
    }
    const started = Date.parse(deployment.startedAt);
    if (Number.isFinite(started)) parts.push(this.#style.dim(formatDuration(Math.max(0, now.getTime() - started))));
    return parts.join(' · ');
  }

  #bakeSecondsAt(percent: number): number | undefined {
    return this.#plan?.find((step) => step.percent === percent)?.bakeSeconds;
  }

  #healthVerdict(bake: Bake, health: string, at: number, startedAt: string): string {
    const elapsed = this.#style.dim(`+${formatDuration(at - Date.parse(startedAt))}`.padEnd(7));
    const how = bake.promoted ? `until promoted at ${bake.percent}%` : `through the ${formatDuration(bake.seconds * 1000)} bake at ${bake.percent}%`;
    return `${elapsed}  health  ${this.#style.green('✔')} every check passed ${how} (${health})`;
  }
}

function planOf(target: StoredTarget): TrafficStep[] | undefined {
  const parsed = strategySchema.safeParse(target.strategy ?? 'AllAtOnce');
  return parsed.success ? planSteps(parsed.data) : undefined;
}

/**
 * `alarm hello-canary-errors and probe http://…/health`, or undefined when nothing is watched. An
 * app's verdict also takes every component's signals (docs/apps.md), so they are listed too.
 */
export function describeHealth(target: StoredTarget): string | undefined {
  type Health = { alarms?: string[]; probe?: { url?: string } } | undefined;
  const components = Object.values((target.components ?? {}) as Record<string, { health?: Health }>);
  const sources = [target.health as Health, ...components.map((c) => c.health)];
  const alarms = [...new Set(sources.flatMap((h) => h?.alarms ?? []))];
  const probes = [...new Set(sources.flatMap((h) => (h?.probe?.url ? [h.probe.url] : [])))];
  const parts: string[] = [];
  if (alarms.length > 0) parts.push(`${alarms.length === 1 ? 'alarm' : 'alarms'} ${alarms.join(', ')}`);
  if (probes.length > 0) parts.push(`${probes.length === 1 ? 'probe' : 'probes'} ${probes.join(', ')}`);
  return parts.length > 0 ? parts.join(' and ') : undefined;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * One line at the bottom of a terminal that redraws in place (`\r` + erase line), cut to the
 * terminal's width so it never wraps (a wrapped line cannot be erased with one `\r`). Lines
 * printed through it go above it. Only for interactive streams: the caller checks isInteractive.
 */
export class LiveLine {
  readonly #stream: OutputStream;
  #shown = false;
  #frame = 0;

  constructor(stream: OutputStream) {
    this.#stream = stream;
  }

  get spinner(): string {
    return SPINNER[this.#frame++ % SPINNER.length]!;
  }

  render(text: string): void {
    const width = Math.max(20, (this.#stream.columns ?? 80) - 1);
    this.#stream.write(`\r\u001b[2K${truncateVisible(text, width)}`);
    this.#shown = true;
  }

  /** Prints a finished line above the live one. */
  print(line: string): void {
    this.clear();
    this.#stream.write(line);
  }

  clear(): void {
    if (!this.#shown) return;
    this.#stream.write('\r\u001b[2K');
    this.#shown = false;
  }
}

/** Cuts a string with ANSI color codes to `width` visible characters. */
function truncateVisible(text: string, width: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < text.length; ) {
    const sgr = /^\u001b\[[0-9;]*m/.exec(text.slice(i));
    if (sgr) {
      out += sgr[0];
      i += sgr[0].length;
      continue;
    }
    if (visible >= width) {
      i++;
      continue;
    }
    out += text[i];
    visible++;
    i++;
  }
  return out;
}
