// Live dashboard: polls the dashboard data endpoint every 2 s, updates the figures, charts the
// last ten minutes with uPlot, and sends live controls. No framework: plain DOM updates.
(function () {
  'use strict';
  var POLL_MS = 2000;
  var KEEP = 300; // points: ten minutes at one per 2 s
  var saleId = new URLSearchParams(location.search).get('sale');
  var $ = function (id) { return document.getElementById(id); };
  var nf = new Intl.NumberFormat();
  var money = null;
  var series = { t: [], waiting: [], connected: [], perMin: [], rate: [], active: [], held: [], sold: [] };
  var charts = {};
  var lastSummary = 0;

  $('logout').addEventListener('click', async function () {
    var s = UsherSession.read();
    try { await fetch('/v1/auth/logout', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + (s && s.accessToken) }, body: JSON.stringify({ refreshToken: s && s.refreshToken }) }); } catch (e) { /* leaving anyway */ }
    UsherSession.clear();
    UsherSession.toLogin();
  });

  function set(id, value) { var el = $(id); var text = value === null || value === undefined ? '—' : String(value); if (el.textContent !== text) el.textContent = text; }
  function num(v) { return v === null || v === undefined ? null : nf.format(v); }

  function chart(id, labels, colors) {
    var el = $(id);
    // without the chart library the figures still update; the charts say why they are missing
    if (typeof uPlot === 'undefined') { el.textContent = 'Charts unavailable.'; return { setData: function () {}, setSize: function () {}, root: el }; }
    var opts = {
      width: Math.max(280, el.clientWidth || 320), height: 180,
      scales: { x: { time: true } },
      series: [{}].concat(labels.map(function (label, i) { return { label: label, stroke: colors[i], width: 2, spanGaps: true }; })),
      axes: [{}, { size: 60 }],
    };
    return new uPlot(opts, [[]].concat(labels.map(function () { return []; })), el);
  }

  function push(d) {
    var s = series;
    s.t.push(d.at / 1000);
    s.waiting.push(d.queue.waiting + d.queue.prequeue); s.connected.push(d.queue.connected);
    s.perMin.push(d.admission.perMin); s.rate.push(d.admission.ratePerMin);
    s.active.push(d.shoppers.active); s.held.push(d.inventory ? d.inventory.held : null); s.sold.push(d.inventory ? d.inventory.sold : d.sales.ticketsSold);
    Object.keys(s).forEach(function (k) { if (s[k].length > KEEP) s[k].shift(); });
    charts.queue.setData([s.t, s.waiting, s.connected]);
    charts.rate.setData([s.t, s.perMin, s.rate]);
    charts.shop.setData([s.t, s.active, s.held, s.sold]);
  }

  function render(d) {
    money = money || new Intl.NumberFormat(undefined, { style: 'currency', currency: d.sales.currency });
    set('queue-length', num(d.queue.waiting + d.queue.prequeue));
    set('fans-connected', num(d.queue.connected));
    set('edges', d.queue.edges + (d.queue.edges === 1 ? ' edge' : ' edges'));
    set('admitted-per-min', d.admission.perMin === null ? '…' : num(d.admission.perMin));
    set('rate-setting', num(d.admission.ratePerMin));
    set('active-shoppers', num(d.shoppers.active));
    set('max-shoppers', num(d.shoppers.max));
    set('holds', d.inventory ? num(d.inventory.held) : '—');
    set('sold', num(d.inventory ? d.inventory.sold : d.sales.ticketsSold));
    set('remaining', d.inventory ? num(d.inventory.remaining) : '—');
    set('revenue', money.format(d.sales.revenueMinor / 100));
    set('sale-status', d.settings.closed ? 'closed' : d.settings.paused ? 'paused' : 'live');
    var f = d.sales.funnel;
    set('f-joined', num(f.joined)); set('f-admitted', num(f.admitted)); set('f-paid', num(f.paid));
    set('f-conv', f.admittedToPaid === null ? '' : '(' + (f.admittedToPaid * 100).toFixed(1) + '% of admitted)');
    var rows = (d.inventory ? d.inventory.sections : []).map(function (s) {
      return '<tr><th scope="row"></th><td>' + nf.format(s.capacity) + '</td><td>' + nf.format(s.held) + '</td><td>' + nf.format(s.sold) + '</td><td>' + nf.format(s.remaining) + '</td></tr>';
    });
    var tbody = $('sections');
    tbody.innerHTML = rows.join('');
    (d.inventory ? d.inventory.sections : []).forEach(function (s, i) { tbody.rows[i].cells[0].textContent = s.name; });
    var lat = $('latencies');
    lat.innerHTML = '';
    (d.latencies.length ? d.latencies : [{ metric: 'no requests measured yet', p99Ms: null, count: 0 }]).forEach(function (l) {
      var tr = lat.insertRow(); tr.insertCell().textContent = l.metric.replace(/^usher_/, '').replace(/_seconds$/, '');
      tr.insertCell().textContent = l.p99Ms === null ? '—' : l.p99Ms + ' ms';
    });
    var rateInput = $('rate');
    if (document.activeElement !== rateInput && !rateInput.value) rateInput.value = d.admission.ratePerMin;
    var maxInput = $('max-active');
    if (document.activeElement !== maxInput && !maxInput.value) maxInput.value = d.shoppers.max;
    var when = new Date(d.at);
    $('updated').dateTime = when.toISOString();
    set('updated', when.toLocaleTimeString());
    // screen readers get a calm summary every 15 s, not every tick
    if (d.at - lastSummary >= 15000) {
      lastSummary = d.at;
      set('summary', 'Queue ' + num(d.queue.waiting) + ', admitted ' + num(d.admission.perMin || 0) + ' per minute, sold ' + $('sold').textContent + ', remaining ' + $('remaining').textContent + '.');
    }
  }

  async function poll() {
    try {
      var res = await UsherSession.api('/v1/admin/sales/' + encodeURIComponent(saleId) + '/dashboard');
      if (res.status === 403) { set('load-error', 'This account is not an organiser account.'); return; }
      if (!res.ok) { var p = await res.json().catch(function () { return {}; }); set('load-error', p.detail || 'Could not load the dashboard (' + res.status + ')'); }
      else { set('load-error', ''); var d = await res.json(); render(d); push(d); }
    } catch (e) {
      set('load-error', 'Connection lost; retrying…');
    }
    setTimeout(poll, POLL_MS);
  }

  async function control(body, label) {
    set('control-result', 'Sending…');
    try {
      var res = await UsherSession.api('/v1/admin/sales/' + encodeURIComponent(saleId) + '/controls', { method: 'POST', body: JSON.stringify(body) });
      var data = await res.json();
      set('control-result', res.ok ? label + ' — done.' : (data.detail || 'Refused (' + res.status + ')'));
      if (res.ok) { $('rate').value = data.ratePerMin; $('max-active').value = data.maxActive; }
    } catch (e) {
      set('control-result', 'Could not reach the server.');
    }
  }

  function wire() {
    $('rate-form').addEventListener('submit', function (ev) { ev.preventDefault(); var v = Number($('rate').value); control({ action: 'set_rate', ratePerMin: v }, 'Rate set to ' + nf.format(v) + '/min'); });
    $('max-form').addEventListener('submit', function (ev) { ev.preventDefault(); var v = Number($('max-active').value); control({ action: 'set_max_shoppers', maxActive: v }, 'Maximum set to ' + nf.format(v)); });
    $('message-form').addEventListener('submit', function (ev) { ev.preventDefault(); control({ action: 'message', text: $('message').value }, 'Message sent'); });
    $('pause').addEventListener('click', function () { control({ action: 'pause' }, 'Admissions paused'); });
    $('resume').addEventListener('click', function () { control({ action: 'resume' }, 'Admissions resumed'); });
    $('close').addEventListener('click', function () { if (confirm('Close the sale for good? Nobody more will be admitted.')) control({ action: 'close' }, 'Sale closed'); });
  }

  async function pickSale() {
    $('pick').hidden = false;
    var res = await UsherSession.api('/v1/admin/sales');
    var list = $('sale-list');
    ((await res.json()).sales || []).forEach(function (s) {
      var li = document.createElement('li'); var a = document.createElement('a');
      a.href = '/admin/dashboard?sale=' + encodeURIComponent(s.id); a.textContent = s.title + ' — ' + s.status;
      li.appendChild(a); list.appendChild(li);
    });
  }

  async function start() {
    if (!UsherSession.read()) { UsherSession.toLogin(); return; }
    if (!saleId) { await pickSale(); return; }
    $('dashboard').hidden = false;
    var sale = await UsherSession.api('/v1/admin/sales/' + encodeURIComponent(saleId));
    if (sale.ok) { var s = await sale.json(); set('sale-title', s.event_title); document.title = 'Live dashboard · ' + s.event_title; }
    charts.queue = chart('chart-queue', ['waiting', 'connected'], ['#0b5fff', '#12a150']);
    charts.rate = chart('chart-rate', ['admitted/min', 'setting'], ['#12a150', '#b42318']);
    charts.shop = chart('chart-shop', ['active shoppers', 'holds', 'sold'], ['#0b5fff', '#d97706', '#12a150']);
    window.addEventListener('resize', function () { Object.keys(charts).forEach(function (k) { var el = charts[k].root.parentNode; charts[k].setSize({ width: Math.max(280, el.clientWidth - 16), height: 180 }); }); });
    wire();
    poll();
  }
  start();
})();
