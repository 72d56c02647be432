import cliProgress from 'cli-progress';
import { formatBytes, isInteractive, type OutputStream } from './output.js';

/** Progress of one transfer: a live bar at a terminal, nothing anywhere else. */
export interface TransferProgress {
  /** `sent` bytes so far, of the total given at the start. */
  update(sent: number): void;
  /** Leaves the bar at its last state on its own line. */
  stop(): void;
}

const silent: TransferProgress = { update() {}, stop() {} };

/**
 * `uploading [████████░░░░] 45% | 12.0 MiB/26.7 MiB | 3.1 MiB/s | ETA 5s` at a terminal (cli-progress:
 * redraws at most 10 times a second, ETA averaged over the last updates). In a pipe, a file, CI or
 * with NO_COLOR set the caller's before/after lines say it all, so there is no bar at all.
 */
export function transferProgress(stream: OutputStream, env: NodeJS.ProcessEnv, total: number, label = 'uploading'): TransferProgress {
  if (!isInteractive(stream, env) || total <= 0) return silent;
  const startedAt = Date.now();
  const bar = new cliProgress.SingleBar({
    stream: stream as unknown as NodeJS.WritableStream,
    format: `${label} {bar} {percentage}% | {value}/{total} | {rate} | ETA {eta_formatted}`,
    formatValue: (value, _options, type) => (type === 'value' || type === 'total' ? formatBytes(value) : String(value)),
    barCompleteChar: '█',
    barIncompleteChar: '░',
    barsize: 24,
    hideCursor: true,
    etaBuffer: 20,
  });
  bar.start(total, 0, { rate: '-' });
  // The bar hides the cursor and turns line wrapping off: Ctrl-C must give both back, then still
  // end the process as Ctrl-C does (cli-progress' own gracefulExit would keep it running).
  const interrupted = (signal: NodeJS.Signals) => {
    bar.stop();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  return {
    update(sent) {
      const seconds = (Date.now() - startedAt) / 1000;
      bar.update(sent, { rate: seconds > 0 ? `${formatBytes(sent / seconds)}/s` : '-' });
    },
    stop() {
      process.removeListener('SIGINT', interrupted);
      process.removeListener('SIGTERM', interrupted);
      bar.stop();
    },
  };
}
