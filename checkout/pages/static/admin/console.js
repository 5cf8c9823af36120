// The organiser console's set-up page: lists the sales, creates a venue and uploads its seats
// (the API's line-numbered CSV errors shown beside each line), an event with a price per tier,
// and a sale with every setting. Every action is a documented /v1/admin/... call.
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var api = UsherSession.api;
  var venues = [];
  var csvVenue = null;
  var STATES = { draft: 'Draft', published: 'Published', open: 'On sale', paused: 'Paused', closed: 'Closed' };

  function say(id, text) { $(id).textContent = text || ''; }
  async function send(path, method, body) {
    var res = await api(path, { method: method, body: body === undefined ? undefined : JSON.stringify(body) });
    return { res: res, data: await Usher.readProblem(res) };
  }
  /** The API's problem on a form: beside each field, the rest in the form's own line. */
  function showProblem(form, resultId, r) {
    say(resultId, Usher.showErrors(form, r.data, r.res.status));
  }
  function busy(form, on) { Array.prototype.forEach.call(form.querySelectorAll('button'), function (b) { b.disabled = on; }); }
  // <input type="datetime-local"> holds the organiser's local time; the API wants an instant
  function instant(value) { var d = new Date(value); return isNaN(d.getTime()) ? value : d.toISOString(); }
  function localValue(ms) { var d = new Date(ms - new Date(ms).getTimezoneOffset() * 60000); return d.toISOString().slice(0, 16); }
  function lines(text) { return text.split(/\r?\n/).map(function (l) { return l.trim(); }).filter(Boolean); }

  // --- lists ---
  async function loadSales() {
    var r = await send('/v1/admin/sales', 'GET');
    if (!r.res.ok) { say('load-error', Usher.problemText(r.data, r.res.status)); return; }
    var list = $('sale-list');
    list.textContent = '';
    $('sales-empty').hidden = r.data.sales.length > 0;
    r.data.sales.slice(0, 20).forEach(function (s) {
      var state = s.status === 'closed' || s.status === 'draft' ? 'closed' : s.status === 'paused' ? 'paused' : 'live';
      list.appendChild(Usher.el('li', {}, [
        Usher.el('a', { href: '/admin/console/sale?sale=' + encodeURIComponent(s.id), text: s.title }),
        Usher.el('span', { class: 'badge ' + state, text: STATES[s.status] || s.status }),
        Usher.el('span', { class: 'meta', text: 'Opens ' + Usher.when(s.opens_at) + ' · closes ' + Usher.when(s.closes_at) }),
      ]));
    });
  }
  async function loadVenues(select) {
    var r = await send('/v1/admin/venues', 'GET');
    if (!r.res.ok) { say('load-error', Usher.problemText(r.data, r.res.status)); return; }
    venues = r.data.venues;
    var sel = $('event-venue');
    sel.textContent = '';
    sel.appendChild(Usher.el('option', { value: '', text: venues.length ? 'Choose a venue' : 'Create a venue first' }));
    venues.forEach(function (v) { sel.appendChild(Usher.el('option', { value: v.id, text: v.name + ', ' + v.city + ' (' + Usher.plural(Number(v.capacity), 'place') + ')' })); });
    if (select) { sel.value = select; await priceTiers(); }
  }
  var events = [];
  async function loadEvents(select) {
    var r = await send('/v1/admin/events', 'GET');
    if (!r.res.ok) { say('load-error', Usher.problemText(r.data, r.res.status)); return; }
    events = r.data.events.filter(function (e) { return e.status === 'published' || e.status === 'draft'; });
    var sel = $('sale-event');
    sel.textContent = '';
    sel.appendChild(Usher.el('option', { value: '', text: events.length ? 'Choose an event' : 'Create an event first' }));
    events.forEach(function (e) { sel.appendChild(Usher.el('option', { value: e.id, text: e.title + ' · ' + e.venue_name + ' · ' + Usher.when(e.starts_at) })); });
    if (select) sel.value = select;
    await refundLine();
  }

  // --- 1. venue ---
  function venueBody(form) {
    var tiers = lines(form.tiers.value).map(function (l) { var i = l.indexOf(','); return i < 0 ? { code: l, name: l } : { code: l.slice(0, i).trim(), name: l.slice(i + 1).trim() }; });
    var sections = lines(form.sections.value).map(function (l) {
      var f = l.split(',').map(function (x) { return x.trim(); });
      return { name: f[0], kind: 'ga', tierCode: f[1] || '', capacity: Number(f[2]) };
    });
    return { name: form.name.value.trim(), city: form.city.value.trim(), timezone: form.timezone.value.trim() || 'UTC', tiers: tiers, sections: sections };
  }
  // paths inside the tiers and sections lists belong to those text areas
  function venueProblem(form, r) {
    var fields = Usher.fieldErrors(r.data);
    var byArea = { tiers: [], sections: [] };
    var rest = [];
    (r.data.errors || []).forEach(function (e, i) {
      var m = /^(?:body\.)?(tiers|sections)\.(\d+)/.exec(String(e.path || ''));
      if (m) byArea[m[1]].push((m[1] === 'tiers' ? 'Tier' : 'Standing area') + ' on line ' + (Number(m[2]) + 1) + ': ' + (fields[i] ? fields[i].message : e.message));
      else rest.push(e);
    });
    var text = Usher.showErrors(form, Object.assign({}, r.data, { errors: rest.length ? rest : undefined }), r.res.status);
    [['tiers', 'venue-tiers'], ['sections', 'venue-ga']].forEach(function (p) {
      if (!byArea[p[0]].length) return;
      say(p[1] + '-error', byArea[p[0]].join(' '));
      $(p[1]).setAttribute('aria-invalid', 'true');
      if (!rest.length) $(p[1]).focus();
    });
    say('venue-result', rest.length || !fields.length ? text : 'Please fix the lines marked above.');
  }
  $('venue-form').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    var form = ev.target;
    Usher.clearErrors(form); say('venue-result', '');
    busy(form, true);
    try {
      var r = await send('/v1/admin/venues', 'POST', venueBody(form));
      if (!r.res.ok) { venueProblem(form, r); return; }
      csvVenue = { id: r.data.id, name: form.name.value.trim() };
      say('csv-venue', csvVenue.name);
      $('csv-form').hidden = false;
      say('csv-result', 'Venue created with ' + Usher.plural(r.data.capacity, 'standing place') + '. Now add its seats.');
      form.hidden = true;
      await loadVenues();
      $('csv-file').focus();
    } catch (e) { say('venue-result', 'Could not reach the server; try again.'); } finally { busy(form, false); }
  });

  // --- seats from a CSV: each refused line is shown with its text and what is wrong with it ---
  $('csv-file').addEventListener('change', function () {
    var file = $('csv-file').files[0];
    if (!file) return;
    file.text().then(function (t) { $('csv-text').value = t; });
  });
  function showCsvProblems(text, data, status) {
    var list = $('csv-lines');
    list.textContent = '';
    var source = text.replace(/^\uFEFF/, '').split(/\r?\n/);
    var byLine = {};
    (data.errors || []).forEach(function (e) {
      var m = /^line (\d+)$/.exec(String(e.path || ''));
      var n = m ? Number(m[1]) : 0;
      var m2 = String(e.message || '');
      (byLine[n] = byLine[n] || []).push(m2.charAt(0).toUpperCase() + m2.slice(1) + (/[.!?)]$/.test(m2) ? '' : '.'));
    });
    var numbers = Object.keys(byLine).map(Number).sort(function (a, b) { return a - b; });
    numbers.forEach(function (n) {
      var li = Usher.el('li', { value: String(n || 1) }, [
        Usher.el('span', { class: 'line-no', text: n ? 'Line ' + n : 'The file' }),
        n ? Usher.el('code', { text: source[n - 1] === undefined ? '' : source[n - 1] }) : null,
        Usher.el('span', { class: 'field-error', text: byLine[n].join(' ') }),
      ]);
      list.appendChild(li);
    });
    var count = numbers.filter(Boolean).length;
    say('csv-summary', status === 422 && count
      ? 'No seat was added: ' + (count === 1 ? '1 line has a mistake. Fix it' : count + ' lines have a mistake. Fix them') + ' and upload again.'
      : Usher.problemText(data, status));
    $('csv-problems').hidden = false;
  }
  $('csv-form').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    var form = ev.target;
    var text = $('csv-text').value;
    $('csv-problems').hidden = true; say('csv-result', '');
    if (!text.trim()) { say('csv-result', 'Choose a CSV file or paste the seats first.'); return; }
    busy(form, true);
    try {
      var res = await api('/v1/admin/venues/' + encodeURIComponent(csvVenue.id) + '/seats', { method: 'POST', body: text, headers: { 'content-type': 'text/csv' } });
      var data = await Usher.readProblem(res);
      if (!res.ok) { showCsvProblems(text, data, res.status); $('csv-summary').focus(); return; }
      say('csv-result', Usher.plural(data.seats, 'seat') + ' added' + (data.sectionsCreated ? ' in ' + Usher.plural(data.sectionsCreated, 'new section') : '') + '. Add more, or go on to the event.');
      $('csv-text').value = '';
      $('csv-file').value = '';
      await loadVenues(csvVenue.id);
    } catch (e) { say('csv-result', 'Could not reach the server; try again.'); } finally { busy(form, false); }
  });
  $('csv-done').addEventListener('click', function () {
    $('csv-form').hidden = true;
    var vf = $('venue-form');
    vf.reset(); vf.hidden = false;
    if (csvVenue) { $('event-venue').value = csvVenue.id; priceTiers(); }
    $('event-title').focus();
  });

  // --- 2. event: one price input per tier of the chosen venue ---
  async function priceTiers() {
    var box = $('event-prices');
    Array.prototype.forEach.call(box.querySelectorAll('.field'), function (f) { f.remove(); });
    var id = $('event-venue').value;
    $('event-prices-empty').hidden = !!id;
    if (!id) return;
    var r = await send('/v1/admin/venues/' + encodeURIComponent(id), 'GET');
    if (!r.res.ok) { say('event-result', Usher.problemText(r.data, r.res.status)); return; }
    r.data.tiers.forEach(function (t, i) {
      var input = Usher.el('input', { id: 'price-' + i, name: 'price', type: 'number', min: '0', step: '0.01', inputmode: 'decimal', required: '', 'data-code': t.code, 'data-name': t.name, 'aria-describedby': 'price-' + i + '-error' });
      box.appendChild(Usher.el('div', { class: 'field' }, [
        Usher.el('label', { for: 'price-' + i, text: t.name + ' (' + t.code + ')' }), input, Usher.el('span', { id: 'price-' + i + '-error', class: 'field-error' }),
      ]));
    });
  }
  $('event-venue').addEventListener('change', priceTiers);
  var DIGITS = { JPY: 0 };
  $('event-form').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    var form = ev.target;
    Usher.clearErrors(form); say('event-result', '');
    var digits = DIGITS[form.currency.value] === undefined ? 2 : DIGITS[form.currency.value];
    var missing = false;
    var tiers = Array.prototype.map.call(form.querySelectorAll('input[name="price"]'), function (i) {
      if (i.value === '' || !(Number(i.value) >= 0)) { missing = true; say(i.id + '-error', 'Enter a price (0 for free).'); i.setAttribute('aria-invalid', 'true'); }
      return { code: i.getAttribute('data-code'), name: i.getAttribute('data-name'), priceMinor: Math.round(Number(i.value) * Math.pow(10, digits)) };
    });
    if (!form.venueId.value) { say('event-venue-error', 'Choose a venue.'); form.venueId.setAttribute('aria-invalid', 'true'); form.venueId.focus(); return; }
    if (missing) { form.querySelector('[aria-invalid="true"]').focus(); return; }
    var body = {
      venueId: form.venueId.value, title: form.title.value.trim(), performer: form.performer.value.trim(), startsAt: form.startsAt.value ? instant(form.startsAt.value) : '',
      currency: form.currency.value, refundCutoffS: Number(form.refundCutoffS.value), tiers: tiers,
    };
    busy(form, true);
    try {
      var r = await send('/v1/admin/events', 'POST', body);
      if (!r.res.ok) { showProblem(form, 'event-result', r); return; }
      var p = await send('/v1/admin/events/' + encodeURIComponent(r.data.id) + '/publish', 'POST');
      if (!p.res.ok) { say('event-result', 'The event was created but not published: ' + Usher.problemText(p.data, p.res.status)); return; }
      say('event-result', '');
      await loadEvents(r.data.id);
      $('sale-event').focus();
    } catch (e) { say('event-result', 'Could not reach the server; try again.'); } finally { busy(form, false); }
  });

  // --- 3. sale ---
  var REFUNDS = { 0: 'until the show starts', 86400: 'until 1 day before the show', 172800: 'until 2 days before the show', 604800: 'until 7 days before the show' };
  async function refundLine() {
    var id = $('sale-event').value;
    if (!id) { say('sale-refund', ''); return; }
    var r = await send('/v1/admin/events/' + encodeURIComponent(id), 'GET');
    if (!r.res.ok) return;
    var cutoff = r.data.refund_cutoff_s;
    say('sale-refund', 'Refund policy (set on the event): fans may cancel for a full refund ' + (REFUNDS[cutoff] || (cutoff >= 31536000 ? 'never' : 'until ' + Math.round(cutoff / 3600) + ' hours before the show')) + '.');
  }
  $('sale-event').addEventListener('change', refundLine);
  $('sale-form').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    var form = ev.target;
    Usher.clearErrors(form); say('sale-result', '');
    if (!form.eventId.value) { say('sale-event-error', 'Choose an event.'); form.eventId.setAttribute('aria-invalid', 'true'); form.eventId.focus(); return; }
    var n = function (name) { return form[name].value === '' ? undefined : Number(form[name].value); };
    var body = {
      eventId: form.eventId.value, prequeueOpensAt: instant(form.prequeueOpensAt.value), opensAt: instant(form.opensAt.value), closesAt: instant(form.closesAt.value),
      admissionRatePerMin: n('admissionRatePerMin'), maxActiveShoppers: n('maxActiveShoppers'), holdSeconds: n('holdSeconds'),
      paymentGraceSeconds: n('paymentGraceSeconds'), perFanLimit: n('perFanLimit'), powDifficulty: n('powDifficulty'),
    };
    busy(form, true);
    try {
      var r = await send('/v1/admin/sales', 'POST', body);
      if (!r.res.ok) { showProblem(form, 'sale-result', r); return; }
      // the queue mode is kept with the draft's settings (the documented set_mode control), so the
      // sale page shows it and publishing opens with it, whenever the organiser comes back to publish
      if (form.mode.value !== 'fifo') {
        var m = await send('/v1/admin/sales/' + encodeURIComponent(r.data.id) + '/controls', 'POST', { action: 'set_mode', mode: form.mode.value });
        if (!m.res.ok) { say('sale-result', 'The sale was made (see Sales), but its queue mode was not kept: ' + Usher.problemText(m.data, m.res.status) + ' Choose it on the sale page before publishing.'); await loadSales(); return; }
      }
      location.assign('/admin/console/sale?sale=' + encodeURIComponent(r.data.id));
    } catch (e) { say('sale-result', 'Could not reach the server; try again.'); } finally { busy(form, false); }
  });

  async function start() {
    if (!UsherSession.read()) { UsherSession.toLogin(); return; }
    // a sale that opens in ten minutes, for an hour, with the waiting room open now
    var now = Date.now();
    $('sale-prequeue').value = localValue(now);
    $('sale-opens').value = localValue(now + 10 * 60000);
    $('sale-closes').value = localValue(now + 70 * 60000);
    $('event-starts').value = localValue(now + 30 * 86400000);
    try { await Promise.all([loadSales(), loadVenues(), loadEvents()]); } catch (e) { say('load-error', 'Could not reach the server; reload the page.'); }
  }
  start();
})();
