import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

// NOTE: only the parts used (bars, lines, a grid, tooltips, SVG), so the DORA page's chunk stays small; the page
// itself is loaded on demand, so none of it is in the first load.
echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, SVGRenderer]);

export interface TrendPoint {
  label: string;
  value: number | null;
}

/**
 * One trend as a small chart. The chart is a picture for sighted people; the same points are in a table for
 * everyone else (screen readers read the table, not the SVG).
 */
export function TrendChart({ points, kind, unit, color }: { points: TrendPoint[]; kind: 'bar' | 'line'; unit: string; color: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const chart = echarts.init(el, undefined, { renderer: 'svg', height: 160 });
    chart.setOption({
      animation: false,
      grid: { left: 44, right: 12, top: 12, bottom: 24 },
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (v === null || v === undefined ? 'no data' : `${v} ${unit}`) },
      xAxis: { type: 'category', data: points.map((p) => p.label), axisLabel: { color: '#495057', fontSize: 11 } },
      yAxis: { type: 'value', minInterval: kind === 'bar' ? 1 : undefined, axisLabel: { color: '#495057', fontSize: 11 } },
      series: [{ type: kind, data: points.map((p) => p.value), itemStyle: { color }, connectNulls: false, symbolSize: 6 }],
    });
    const onResize = () => chart.resize();
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      chart.dispose();
    };
  }, [points, kind, unit, color]);
  return <div ref={ref} aria-hidden style={{ width: '100%', height: 160 }} />;
}
