/**
 * A self-contained HTML report of one run: the summary table and line charts over time, drawn as
 * inline SVG so the file opens anywhere with no network and no scripts.
 */
export interface Series {
  name: string;
  /** [seconds since start, value] */
  points: [number, number][];
}

export interface Chart {
  title: string;
  unit: string;
  series: Series[];
}

export interface Report {
  title: string;
  subtitle?: string;
  summary: Record<string, string | number | boolean>;
  charts: Chart[];
}

const COLORS = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df', '#bf3989'];
const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const mag = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 5, 10].map((m) => m * mag).find((m) => m >= v) ?? v;
}

export function chartSvg(chart: Chart, width = 720, height = 220): string {
  const pad = { l: 56, r: 12, t: 12, b: 28 };
  const all = chart.series.flatMap((s) => s.points);
  const maxT = Math.max(1, ...all.map((p) => p[0]));
  const maxV = niceMax(Math.max(0, ...all.map((p) => p[1]).filter(Number.isFinite)));
  const x = (t: number): number => pad.l + (t / maxT) * (width - pad.l - pad.r);
  const y = (v: number): number => height - pad.b - (v / maxV) * (height - pad.t - pad.b);
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => `<line x1="${pad.l}" x2="${width - pad.r}" y1="${y(f * maxV)}" y2="${y(f * maxV)}" stroke="#ddd"/>` +
      `<text x="${pad.l - 6}" y="${y(f * maxV) + 4}" text-anchor="end" font-size="11">${+(f * maxV).toPrecision(3)}</text>`)
    .join('');
  const lines = chart.series
    .map((s, i) => {
      const pts = s.points.filter((p) => Number.isFinite(p[1])).map((p) => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
      return `<polyline fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="1.8" points="${pts}"><title>${esc(s.name)}</title></polyline>`;
    })
    .join('');
  const legend = chart.series
    .map((s, i) => `<span style="color:${COLORS[i % COLORS.length]}">■</span> ${esc(s.name)}`)
    .join(' &nbsp; ');
  return `<figure><figcaption><strong>${esc(chart.title)}</strong> (${esc(chart.unit)}) — ${legend}</figcaption>` +
    `<svg viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${esc(chart.title)}">${grid}` +
    `<text x="${width - pad.r}" y="${height - 6}" text-anchor="end" font-size="11">${maxT.toFixed(0)} s</text>${lines}</svg></figure>`;
}

export function renderReport(report: Report): string {
  const rows = Object.entries(report.summary)
    .map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${esc(typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : String(v))}</td></tr>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(report.title)}</title>
<style>body{font:14px system-ui,sans-serif;max-width:780px;margin:2em auto;padding:0 1em;color:#1f2328}
table{border-collapse:collapse}th,td{padding:2px 10px;border-bottom:1px solid #eee;text-align:left}td{font-variant-numeric:tabular-nums}
figure{margin:1.5em 0}</style></head><body>
<h1>${esc(report.title)}</h1>${report.subtitle ? `<p>${esc(report.subtitle)}</p>` : ''}
<table>${rows}</table>
${report.charts.map((c) => chartSvg(c)).join('\n')}
</body></html>
`;
}
