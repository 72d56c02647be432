import type { TargetSummary } from '../types';
import { trafficSegments } from '../view/overview-model';

export function TrafficBar({ summary }: { summary: TargetSummary }) {
  const segments = trafficSegments(summary);
  if (!segments.length) return <span class="muted">no traffic data</span>;
  const text = segments.map((s) => s.label).join(', ');
  return (
    <div class="traffic" role="img" aria-label={`traffic: ${text}`} title={text}>
      {segments.map((s) => (
        <span key={s.role} class={`traffic-${s.role}`} style={{ width: `${s.percent}%` }}>
          {s.percent >= 15 ? s.label : ''}
        </span>
      ))}
    </div>
  );
}
