// The organiser console's page of one sale: its settings, publish (with the queue mode), a preview
// of the venue's seat map drawn from the admin API, the live controls, a link to the live
// dashboard, and the event's orders with a refund button. Every action is a /v1/admin/... call.
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var api = UsherSession.api;
  var params = new URLSearchParams(location.search);
  var saleId = params.get('sale');
  var sale = null;
  var event = null;
  // the queue mode kept in the sale's settings (a draft's too: the console's sale form sets it)
  var storedMode = 'fifo';
  var nf = new Intl.NumberFormat();
  var STATES = { draft: 'Draft', published: 'Published', open: 'On sale', paused: 'Paused', closed: 'Closed' };
  var BADGES = { draft: 'closed', published: 'live', open: 'live', paused: 'paused', closed: 'closed' };
  var ORDER_STATES = { committed: 'Being confirmed', confirmed: 'Paid', cancelled: 'Cancelled' };

  function say(id, text) { $(id).textContent = text || ''; }
  function onSubmit(id, fn) { $(id).addEventListener('submit', function (ev) { ev.preventDefault(); fn(); }); }
  async function send(path, method, body) {
    var res = await api(path, { method: method, body: body === undefined ? undefined : JSON.stringify(body) });
    return { res: res, data: await Usher.readProblem(res) };
  }
  function money(minor) { return Usher.price(minor, (event && event.currency) || 'EUR'); }
  function refundPolicy(cutoffS) {
    if (cutoffS >= 31536000) return 'No refunds on request';
    if (cutoffS === 0) return 'Full refund until the show starts';
    return cutoffS % 86400 === 0 ? 'Full refund until ' + Usher.plural(cutoffS / 86400, 'day') + ' before the show' : 'Full refund until ' + Usher.plural(Math.round(cutoffS / 3600), 'hour') + ' before the show';
  }

  function renderSale() {
    say('sale-title', sale.event_title);
    document.title = sale.event_title + ' · Console · Usher';
    say('sale-status', STATES[sale.status] || sale.status);
    $('sale-status').className = 'badge ' + (BADGES[sale.status] || '');
    $('sale-status').hidden = false;
    $('dashboard-link').href = '/admin/dashboard?sale=' + encodeURIComponent(sale.id);
    var facts = [
      ['Waiting room opens', Usher.when(sale.prequeue_opens_at)], ['Sale opens', Usher.when(sale.opens_at)], ['Sale closes', Usher.when(sale.closes_at)],
      ['Admission rate', nf.format(sale.admission_rate_per_min) + ' fans a minute'], ['Maximum shoppers', nf.format(sale.max_active_shoppers)],
      ['Hold time', Usher.plural(sale.hold_seconds, 'second') + ' (+' + Usher.plural(sale.payment_grace_seconds, 'second') + ' grace)'],
      ['Tickets per fan', nf.format(sale.per_fan_limit)], ['Proof of work', sale.pow_difficulty ? Usher.plural(sale.pow_difficulty, 'bit') : 'off'],
      ['Refund policy', event ? refundPolicy(event.refund_cutoff_s) : '—'],
    ];
    var dl = $('facts');
    dl.textContent = '';
    facts.forEach(function (f) { dl.appendChild(Usher.el('dt', { text: f[0] })); dl.appendChild(Usher.el('dd', { text: f[1] })); });
    $('publish-card').hidden = sale.status !== 'draft';
    $('controls-card').hidden = sale.status === 'draft';
    controls.show(null, sale.pow_difficulty);
  }
  async function loadSale() {
    var r = await send('/v1/admin/sales/' + encodeURIComponent(saleId), 'GET');
    if (!r.res.ok) { say('sale-title', 'Sale not found'); say('load-error', Usher.problemText(r.data, r.res.status)); return false; }
    sale = r.data;
    renderSale();
    return true;
  }

  // --- publish: the queue mode kept with the draft first (so the sale opens in it), the event
  // when it is still a draft, then the sale ---
  $('publish').addEventListener('click', async function () {
    var btn = $('publish');
    btn.disabled = true;
    say('publish-result', 'Publishing…');
    try {
      var mode = $('publish-mode').value;
      if (mode !== storedMode) {
        var m = await send('/v1/admin/sales/' + encodeURIComponent(saleId) + '/controls', 'POST', { action: 'set_mode', mode: mode });
        if (!m.res.ok) { say('publish-result', 'The queue mode was not set: ' + Usher.problemText(m.data, m.res.status)); return; }
        storedMode = m.data.mode;
      }
      if (sale.event_status === 'draft') {
        var e = await send('/v1/admin/events/' + encodeURIComponent(sale.event_id) + '/publish', 'POST');
        if (!e.res.ok) { say('publish-result', Usher.problemText(e.data, e.res.status)); return; }
      }
      var r = await send('/v1/admin/sales/' + encodeURIComponent(saleId) + '/publish', 'POST');
      if (!r.res.ok) { say('publish-result', Usher.problemText(r.data, r.res.status)); return; }
      sale = r.data.sale;
      say('publish-result', '');
      renderSale();
      await readSettings();
      controls.say('Published: ' + Usher.plural(r.data.capacity, 'place') + ' on sale in ' + Usher.plural(r.data.shards, 'pool') + '.');
      $('controls-h').focus();
    } catch (err) { say('publish-result', 'Could not reach the server; try again.'); } finally { btn.disabled = false; }
  });

  // --- live controls (sale-controls.js); a draft shows only the mode it will open with ---
  var controls = UsherSaleControls.mount({
    saleId: saleId,
    onSettings: async function (s) { storedMode = s.mode; await loadSale(); },
    onSale: function (changed) { sale = Object.assign(sale, changed); renderSale(); },
  });
  function showSettings(s) {
    storedMode = s.mode;
    if (sale && sale.status === 'draft') { $('publish-mode').value = s.mode; return; }
    controls.show(s);
  }
  // the live settings now, as the dashboard's figures give them (a draft's: the mode it will open with)
  async function readSettings() {
    var r = await send('/v1/admin/sales/' + encodeURIComponent(saleId) + '/dashboard', 'GET');
    if (r.res.ok) showSettings(r.data.settings);
  }

  // --- the seat map preview: the fans' map itself (seat-map.js, read-only), from the admin API's copy
  // of GET /v1/sales/{sale}/seat-map (a draft has one too); its states live once the sale is published ---
  async function loadMap() {
    var r = await send('/v1/admin/venues/' + encodeURIComponent(event.venue_id) + '/seats', 'GET');
    if (!r.res.ok) { say('map-summary', Usher.problemText(r.data, r.res.status)); return; }
    var sections = r.data.sections;
    var prices = {};
    event.tiers.forEach(function (t) { prices[t.code] = t; });
    var legend = $('map-legend');
    legend.textContent = '';
    // the map colours tier i (in code order) with seat-map.css's t<i>
    event.tiers.map(function (t) { return t.code; }).sort().forEach(function (c, i) {
      var sw = Usher.el('span', { class: 'swatch sw t' + (i % 8), 'aria-hidden': 'true' });
      legend.appendChild(Usher.el('li', {}, [sw, (prices[c] ? prices[c].name : c) + ' · ' + (prices[c] ? money(prices[c].priceMinor) : 'no price')]));
    });
    var seats = 0;
    var places = 0;
    sections.forEach(function (s) { s.rows.forEach(function (row) { seats += row.seats.length; }); places += s.kind === 'ga' ? s.capacity : 0; });
    var live = sale.status !== 'draft';
    window.UsherSeatMap.create({
      saleId: saleId, money: Usher.price, readOnly: true, live: live,
      mapUrl: '/v1/admin/sales/' + encodeURIComponent(saleId) + '/seat-map', fetch: function (url) { return api(url); },
    }).load().catch(function () { say('map-msg', 'The seat map could not be drawn; reload the page.'); });
    var label = 'Seat map preview: ' + Usher.plural(sections.length, 'section') + ', ' + Usher.plural(seats, 'seat') + (places ? ' and ' + Usher.plural(places, 'standing place') : '') + '.';
    $('seatmap-svg').setAttribute('aria-label', label);
    say('map-summary', label.replace(/^Seat map preview: /, '').replace(/^./, function (c) { return c.toUpperCase(); }));
    var tbody = $('map-table');
    tbody.textContent = '';
    sections.forEach(function (s) {
      var tiers = {};
      if (s.kind === 'ga') tiers[s.tierCode] = true;
      s.rows.forEach(function (row) { row.seats.forEach(function (seat) { tiers[seat[1]] = true; }); });
      var n = s.kind === 'ga' ? s.capacity : s.rows.reduce(function (a, row) { return a + row.seats.length; }, 0);
      var tr = tbody.insertRow();
      var th = Usher.el('th', { scope: 'row', text: s.name });
      tr.appendChild(th);
      [s.kind === 'ga' ? 'Standing' : 'Seated', s.kind === 'ga' ? '—' : nf.format(s.rows.length), nf.format(n),
        Object.keys(tiers).map(function (c) { return (prices[c] ? prices[c].name + ' ' + money(prices[c].priceMinor) : c); }).join(', ')].forEach(function (v, i) {
        var td = tr.insertCell(); td.textContent = v; if (i === 1 || i === 2) td.className = 'num';
      });
    });
  }

  // --- orders of the event, with a refund in full ---
  async function loadOrders() {
    var r = await send('/v1/admin/events/' + encodeURIComponent(sale.event_id) + '/orders', 'GET');
    if (!r.res.ok) { say('orders-result', Usher.problemText(r.data, r.res.status)); return; }
    var tbody = $('orders');
    tbody.textContent = '';
    say('orders-count', r.data.orders.length ? Usher.plural(r.data.orders.length, 'order') + (r.data.truncated ? ' (the latest)' : '') : 'No orders yet.');
    r.data.orders.forEach(function (o) {
      var tr = tbody.insertRow();
      tr.setAttribute('data-order', o.id);
      tr.appendChild(Usher.el('th', { scope: 'row', text: o.number || o.id }));
      tr.insertCell().textContent = o.email;
      tr.insertCell().textContent = ORDER_STATES[o.status] || o.status;
      var t = tr.insertCell(); t.className = 'num'; t.textContent = nf.format(o.tickets);
      var a = tr.insertCell(); a.className = 'num'; a.textContent = Usher.price(o.amountMinor, o.currency);
      var refund = tr.insertCell();
      if (o.refund) refund.textContent = Usher.price(o.refund.amountMinor, o.currency) + (o.refund.status === 'succeeded' ? ' refunded' : ' refund ' + o.refund.status);
      else if (o.status === 'confirmed') {
        var b = Usher.el('button', { type: 'button', class: 'secondary small', text: 'Refund' }, [Usher.el('span', { class: 'visually-hidden', text: ' order ' + (o.number || o.id) })]);
        b.addEventListener('click', function () { refundOrder(o, b); });
        refund.appendChild(b);
      } else refund.textContent = o.status === 'committed' ? 'Wait for it to be confirmed' : '—';
    });
  }
  async function refundOrder(o, button) {
    var name = o.number || o.id;
    if (!confirm('Refund order ' + name + ' in full (' + Usher.price(o.amountMinor, o.currency) + ')? Its tickets are cancelled and its seats go back on sale.')) return;
    button.disabled = true;
    say('orders-result', 'Refunding ' + name + '…');
    try {
      var r = await send('/v1/admin/orders/' + encodeURIComponent(o.id) + '/refund', 'POST');
      if (!r.res.ok) { say('orders-result', Usher.problemText(r.data, r.res.status)); button.disabled = false; return; }
      say('orders-result', 'Order ' + name + ' refunded: ' + Usher.price(r.data.refundMinor, o.currency) + '.');
      await loadOrders();
    } catch (e) { say('orders-result', 'Could not reach the server; try again.'); button.disabled = false; }
  }
  $('orders-refresh').addEventListener('click', function () { say('orders-result', ''); loadOrders(); });

  // --- branding: the fan pages' look (PATCH /v1/admin/sales/{id} { branding }), previewed as the organiser types ---
  var HEX = /^#[0-9a-fA-F]{6}$/;
  var BRAND_FIELDS = { logoUrl: 'brand-logo', headline: 'brand-headline', accentColor: 'brand-accent', bannerColor: 'brand-banner', messageMarkdown: 'brand-message' };
  function brandingInput() {
    var b = {};
    Object.keys(BRAND_FIELDS).forEach(function (k) { var v = $(BRAND_FIELDS[k]).value; if (k !== 'messageMarkdown') v = v.trim(); if (v.trim()) b[k] = v; });
    return b;
  }
  function showBranding(b) {
    b = b || {};
    Object.keys(BRAND_FIELDS).forEach(function (k) { $(BRAND_FIELDS[k]).value = b[k] || ''; });
    preview();
  }
  function preview() {
    var b = brandingInput();
    var box = $('brand-preview').style;
    // the colours on the preview only (custom properties through the CSSOM, as branding.js does on the fan pages)
    if (HEX.test(b.accentColor || '')) box.setProperty('--accent', b.accentColor); else box.removeProperty('--accent');
    if (HEX.test(b.bannerColor || '')) box.setProperty('--banner', b.bannerColor); else box.removeProperty('--banner');
    var logo = $('brand-preview-logo');
    if (b.logoUrl && /^(https:\/\/|\/[^\/\\])/.test(b.logoUrl)) { logo.src = b.logoUrl; logo.hidden = false; } else { logo.removeAttribute('src'); logo.hidden = true; }
    $('brand-preview-headline').textContent = b.headline || '';
    $('brand-preview-headline').hidden = !b.headline;
    $('brand-preview-title').textContent = (sale && sale.event_title) || 'Your event';
    var msg = $('brand-preview-message');
    if (b.messageMarkdown && window.UsherMarkdown) { window.UsherMarkdown.render(b.messageMarkdown, msg); msg.hidden = false; } else { msg.textContent = ''; msg.hidden = true; }
  }
  $('branding-form').addEventListener('input', preview);
  async function saveBranding(branding, done) {
    var form = $('branding-form');
    Usher.clearErrors(form);
    say('branding-result', 'Saving…');
    Array.prototype.forEach.call(form.querySelectorAll('button[type]'), function (x) { x.disabled = true; });
    try {
      var r = await send('/v1/admin/sales/' + encodeURIComponent(saleId), 'PATCH', { branding: branding });
      if (!r.res.ok) { say('branding-result', Usher.showErrors(form, r.data, r.res.status)); return; }
      sale = Object.assign(sale, r.data);
      showBranding(sale.branding);
      say('branding-result', done);
    } catch (e) { say('branding-result', 'Could not reach the server; try again.'); } finally {
      Array.prototype.forEach.call(form.querySelectorAll('button[type]'), function (x) { x.disabled = false; });
    }
  }
  onSubmit('branding-form', function () { saveBranding(brandingInput(), 'Branding saved — fans see it within a minute.'); });
  $('branding-clear').addEventListener('click', function () { if (confirm('Remove the branding of this sale?')) saveBranding(null, 'Branding removed.'); });

  async function start() {
    if (!UsherSession.read()) { UsherSession.toLogin(); return; }
    if (!saleId) { location.replace('/admin/console'); return; }
    try {
      if (!(await loadSale())) return;
      showBranding(sale.branding);
      var e = await send('/v1/admin/events/' + encodeURIComponent(sale.event_id), 'GET');
      if (e.res.ok) { event = e.data; renderSale(); }
      await readSettings();
      await Promise.all([event ? loadMap() : null, loadOrders()]);
    } catch (err) { say('load-error', 'Could not reach the server; reload the page.'); }
  }
  start();
})();
