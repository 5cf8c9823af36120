// Live dashboard: polls the dashboard data endpoint every 2 s, updates the figures, charts the
// last ten minutes with uPlot, and carries the live controls (sale-controls.js). No framework: plain DOM updates.
(function () {
  'use strict';
  var POLL_MS = 2000;
  var KEEP = 300; // points: ten minutes at one per 2 s
  var saleId = new URLSearchParams(location.search).get('sale');
  var $ = function (id) { return document.getElementById(id); };
  var nf = new Intl.NumberFormat();
  var series = { t: [], waiting: [], connected: [], perMin: [], rate: [], effective: [], active: [], held: [], sold: [] };
  var SIGNALS = { hold_p99_ms: ['hold p99', ' ms'], commit_queue: ['commit queue', ' jobs'], error_rate_pct: ['API errors', '%'] };
  var charts = {};
  var lastSummary = 0;

  var rateSetting = null;
  var controls = null, controlsShown = false;
  // the latency figures by what they measure, not by metric name
  var MEASURED = {
    usher_catalog_request_duration_seconds: 'Event pages and search',
    usher_http_request_seconds: 'All API requests',
    usher_hold_seconds: 'Holding seats',
    usher_commit_seconds: 'Confirming an order',
  };
  function measured(metric) {
    return MEASURED[metric] || metric.replace(/^usher_/, '').replace(/_(duration_)?seconds$/, '').replace(/_/g, ' ').replace(/^./, function (c) { return c.toUpperCase(); });
  }
  var STATES = { closed: 'Closed', paused: 'Paused', live: 'Live' };

  function set(id, value) { var el = $(id); var text = value === null || value === undefined ? '—' : String(value); if (el.textContent !== text) el.textContent = text; }
  function num(v) { return v === null || v === undefined ? null : nf.format(v); }


  function push(d) {
    var s = series;
    s.t.push(d.at / 1000);
    s.waiting.push(d.queue.waiting + d.queue.prequeue); s.connected.push(d.queue.connected);
    s.perMin.push(d.admission.perMin); s.rate.push(d.admission.ratePerMin); s.effective.push(d.admission.effectiveRatePerMin);
    s.active.push(d.shoppers.active); s.held.push(d.inventory ? d.inventory.held : null); s.sold.push(d.inventory ? d.inventory.sold : d.sales.ticketsSold);
    Object.keys(s).forEach(function (k) { if (s[k].length > KEEP) s[k].shift(); });
    charts.queue.setData([s.t, s.waiting, s.connected]);
    charts.rate.setData([s.t, s.perMin, s.rate, s.effective]);
    charts.shop.setData([s.t, s.active, s.held, s.sold]);
  }

  function render(d) {
    rateSetting = d.admission.ratePerMin;
    set('queue-length', num(d.queue.waiting + d.queue.prequeue));
    set('fans-connected', num(d.queue.connected));
    set('edges', d.queue.edges ? 'through ' + Usher.plural(d.queue.edges, 'edge server') : 'no edge server reporting');
    set('admitted-per-min', d.admission.perMin === null ? '…' : num(d.admission.perMin));
    set('rate-setting', num(d.admission.ratePerMin));
    // backoff on backend health: the rate in force and which signal holds it down
    var backedOff = d.admission.effectiveRatePerMin < d.admission.ratePerMin;
    set('effective-rate', num(d.admission.effectiveRatePerMin));
    var h = d.admission.health || {};
    set('backoff-state', d.admission.breaching.length > 0
      ? 'backing off: ' + d.admission.breaching.map(function (k) { var l = SIGNALS[k] || [k, '']; return l[0] + ' ' + (h[k] === undefined ? '?' : nf.format(h[k])) + l[1]; }).join(', ')
      : backedOff ? 'recovering: backend healthy' : 'backend healthy');
    $('effective-tile').className = backedOff ? 'warn' : '';
    set('active-shoppers', num(d.shoppers.active));
    set('max-shoppers', num(d.shoppers.max));
    set('holds', d.inventory ? num(d.inventory.held) : '—');
    set('sold', num(d.inventory ? d.inventory.sold : d.sales.ticketsSold));
    set('remaining', d.inventory ? num(d.inventory.remaining) : '—');
    set('revenue', Usher.price(d.sales.revenueMinor, d.sales.currency));
    var state = d.settings.closed ? 'closed' : d.settings.paused ? 'paused' : 'live';
    set('sale-status', STATES[state]);
    $('sale-status').className = 'badge ' + state;
    $('sale-status').hidden = false;
    var f = d.sales.funnel;
    set('f-joined', num(f.joined)); set('f-admitted', num(f.admitted)); set('f-paid', num(f.paid));
    set('f-conv', f.admittedToPaid === null ? '' : '(' + (f.admittedToPaid * 100).toFixed(1) + '% of admitted)');
    var rows = (d.inventory ? d.inventory.sections : []).map(function (s) {
      return '<tr><th scope="row"></th><td class="num">' + nf.format(s.capacity) + '</td><td class="num">' + nf.format(s.held) + '</td><td class="num">' + nf.format(s.sold) + '</td><td class="num">' + nf.format(s.remaining) + '</td></tr>';
    });
    var tbody = $('sections');
    tbody.innerHTML = rows.join('');
    (d.inventory ? d.inventory.sections : []).forEach(function (s, i) { tbody.rows[i].cells[0].textContent = s.name; });
    var lat = $('latencies');
    lat.innerHTML = '';
    if (!d.latencies.length) lat.insertRow().insertCell().textContent = 'No requests measured yet.';
    d.latencies.forEach(function (l) {
      var tr = lat.insertRow();
      var name = document.createElement('th'); name.scope = 'row'; name.textContent = measured(l.metric); tr.appendChild(name);
      var ms = tr.insertCell(); ms.className = 'num'; ms.textContent = l.p99Ms === null ? 'none yet' : nf.format(Math.round(l.p99Ms)) + ' ms';
    });
    // the inputs take the live settings once; afterwards what the operator typed stays until sent
    if (!controlsShown) { controlsShown = true; controls.show(d.settings); }
    var when = new Date(d.at);
    $('updated').dateTime = when.toISOString();
    set('updated', when.toLocaleTimeString());
    $('updated-line').hidden = false;
    // screen readers get a calm summary every 15 s, not every tick
    if (d.at - lastSummary >= 15000) {
      lastSummary = d.at;
      set('summary', num(d.queue.waiting) + ' in the queue, ' + num(d.admission.perMin || 0) + ' admitted a minute, ' + $('sold').textContent + ' sold, ' + $('remaining').textContent + ' left.');
    }
  }

  async function poll() {
    try {
      var res = await UsherSession.api('/v1/admin/sales/' + encodeURIComponent(saleId) + '/dashboard');
      if (res.status === 403) { set('load-error', 'This account is not an organiser account.'); return; }
      if (!res.ok) set('load-error', await Usher.problem(res));
      else { set('load-error', ''); var d = await res.json(); render(d); push(d); }
    } catch (e) {
      set('load-error', 'Connection lost; retrying…');
    }
    setTimeout(poll, POLL_MS);
  }

  // the list of sales is the page until one is chosen: newest first, each with its state and dates
  var SALE_STATES = { draft: 'Draft', published: 'Published', open: 'On sale', paused: 'Paused', closed: 'Closed' };
  async function pickSale() {
    $('pick').hidden = false;
    var res = await UsherSession.api('/v1/admin/sales');
    if (!res.ok) { set('load-error', await Usher.problem(res)); return; }
    var sales = (await res.json()).sales || [];
    var list = $('sale-list');
    set('pick-count', sales.length ? Usher.plural(sales.length, 'sale') : 'No sales yet.');
    sales.forEach(function (s) {
      var state = s.status === 'closed' || s.status === 'draft' ? 'closed' : s.status === 'paused' ? 'paused' : 'live';
      list.appendChild(Usher.el('li', {}, [
        Usher.el('a', { href: '/admin/dashboard?sale=' + encodeURIComponent(s.id), text: s.title }),
        Usher.el('span', { class: 'badge ' + state, text: SALE_STATES[s.status] || s.status }),
        Usher.el('span', { class: 'meta', text: 'Opens ' + Usher.when(s.opens_at) + ' · closes ' + Usher.when(s.closes_at) }),
      ]));
    });
  }

  async function start() {
    if (!UsherSession.read()) { UsherSession.toLogin(); return; }
    if (!saleId) { await pickSale(); return; }
    $('dashboard').hidden = false;
    var sale = await UsherSession.api('/v1/admin/sales/' + encodeURIComponent(saleId));
    if (!sale.ok) { set('sale-title', 'Sale not found'); set('load-error', await Usher.problem(sale)); return; }
    var s = await sale.json();
    set('sale-title', s.event_title);
    document.title = s.event_title + ' · live · Usher';
    var C = UsherCharts;
    charts.queue = C.create($('chart-queue'), { series: [{ label: 'Waiting', color: '#4f46e5' }, { label: 'Connected', color: '#0f9d58' }] });
    // the rate axis is scaled to the current setting, so the setting line sits near the top and
    // a changed setting rescales the chart at once
    charts.rate = C.create($('chart-rate'), {
      series: [{ label: 'Admitted per minute', color: '#0f9d58' }, { label: 'Rate setting', color: '#d93025', dash: [6, 4] }, { label: 'Rate in force', color: '#e37400' }],
      top: function () { var last = series.perMin.filter(function (v) { return v !== null; }).slice(-30); return C.niceCeil(Math.max(rateSetting || 0, Math.max.apply(null, [0].concat(last))) * 1.15); },
    });
    charts.shop = C.create($('chart-shop'), { series: [{ label: 'Shopping now', color: '#4f46e5' }, { label: 'On hold', color: '#e37400' }, { label: 'Sold', color: '#0f9d58' }] });
    window.addEventListener('resize', function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
    controls = UsherSaleControls.mount({ saleId: saleId, onSale: function (changed) { controls.show(null, changed.pow_difficulty); } });
    controls.show(null, s.pow_difficulty);
    poll();
  }
  start();
})();
