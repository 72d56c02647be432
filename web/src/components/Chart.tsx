/** A uPlot chart in a Preact component: created once, its data replaced on each render. */
import { useEffect, useRef } from 'preact/hooks';
import uPlot, { type AlignedData, type Options } from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartProps {
  /** What the chart shows, for screen readers (the numbers are also in the page's text). */
  label: string;
  options: Omit<Options, 'width' | 'height'>;
  data: AlignedData;
  height?: number;
}

export function Chart({ label, options, data, height = 200 }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = () => Math.max(240, el.clientWidth);
    plot.current = new uPlot({ ...options, width: width(), height }, data, el);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: width(), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, []);
  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);
  return <div class="chart" role="img" aria-label={label} ref={box} />;
}

/** Step lines (traffic holds at a percent until the next shift). */
export const stepped = uPlot.paths.stepped?.({ align: 1 });
/** Bars, for daily counts. */
export const bars = uPlot.paths.bars?.({ size: [0.6, 40] });
