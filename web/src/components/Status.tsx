import { statusLabel } from '../view/format';

export function Status({ status }: { status: string }) {
  return <span class={`status status-${status}`}>{statusLabel(status)}</span>;
}
