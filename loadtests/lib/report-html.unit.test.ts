import { describe, it, expect } from 'vitest';
import { renderReport } from './report-html.js';

describe('renderReport', () => {
  it('draws one polyline per series with every point, and escapes text', () => {
    const html = renderReport({
      title: 'Run <1>',
      summary: { oversold: 0, peak_rps: 2104.5 },
      charts: [{ title: 'Requests', unit: 'req/s', series: [{ name: 'holds', points: [[0, 0], [1, 1500], [2, 2100]] }, { name: 'reads', points: [[0, 10], [2, 20]] }] }],
    });
    expect(html).toContain('<title>Run &#60;1&#62;</title>');
    const polylines = [...html.matchAll(/<polyline[^>]*points="([^"]*)"/g)].map((m) => m[1]!.split(' ').length);
    expect(polylines).toEqual([3, 2]);
    expect(html).toContain('<td>2104.500</td>');
    expect(html).not.toMatch(/<script|https?:\/\//);
  });
});
