// The dashboard's charts (uPlot): the last ten minutes (at least two) on the time axis, ticks in 1-2-5
// steps spaced so their labels never overlap, counts from zero, a legend of names (no "--" values
// while the pointer is elsewhere), and colours from the stylesheet so dark mode reads too.
(function () {
  'use strict';
  var WINDOW_S = 600;
  var HEIGHT = 200;
  var compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
  var clock = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
  var MIN_SPAN_S = 120;

  // 1, 2, 5, 10, 20, 50, … 50 million: whole numbers only, counts of fans have no fractions
  var STEPS = [];
  for (var p = 1; p <= 1e7; p *= 10) STEPS.push(p, 2 * p, 5 * p);
  var TIME_STEPS = [60, 120, 300, 600];

  /** The smallest 1-2-5 step at or above v, so the top of the axis is a labelled tick. */
  function niceCeil(v) {
    if (!(v > 0)) return 10;
    for (var i = 0; i < STEPS.length; i++) if (STEPS[i] >= v) return STEPS[i];
    return v;
  }

  function css(name, fallback) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback; }

  /**
   * spec: { series: [{ label, color, dash? }], top?: function (dataMax) → the y axis' top }.
   * Without uPlot the figures still update and the chart says why it is missing.
   */
  function create(el, spec) {
    if (typeof uPlot === 'undefined') { el.textContent = 'Charts unavailable.'; return { setData: function () {}, resize: function () {} }; }
    var muted = css('--muted', '#545b6b');
    var line = css('--line', '#d9dce6');
    var axis = { stroke: muted, grid: { stroke: line, width: 1 }, ticks: { stroke: line, width: 1 }, font: '12px system-ui, sans-serif' };
    var top = spec.top || function (max) { return niceCeil(max * 1.1); };
    var opts = {
      width: width(el), height: HEIGHT,
      legend: { live: false },
      cursor: { points: { size: 6 } },
      scales: {
        // up to ten minutes, but at least two, so the first points are not a sliver at the edge
        x: { time: true, range: function (u, min, max) { return [Math.min(Math.max(min, max - WINDOW_S), max - MIN_SPAN_S), max]; } },
        y: { range: function (u, min, max) { return [0, top(max || 0)]; } },
      },
      series: [{}].concat(spec.series.map(function (s) {
        return { label: s.label, stroke: s.color, width: 2, dash: s.dash, spanGaps: true, points: { show: false } };
      })),
      axes: [
        Object.assign({}, axis, { space: 64, incrs: TIME_STEPS, values: function (u, ticks) { return ticks.map(function (t) { return clock.format(new Date(t * 1000)); }); } }),
        Object.assign({}, axis, { space: 28, size: 52, incrs: STEPS, values: function (u, ticks) { return ticks.map(function (v) { return compact.format(v); }); } }),
      ],
    };
    var plot = new uPlot(opts, [[]].concat(spec.series.map(function () { return []; })), el);
    return {
      setData: function (data) { plot.setData(data); },
      resize: function () { plot.setSize({ width: width(el), height: HEIGHT }); },
    };
  }

  function width(el) { return Math.max(240, Math.floor(el.clientWidth || 320)); }

  window.UsherCharts = { create: create, niceCeil: niceCeil };
})();
