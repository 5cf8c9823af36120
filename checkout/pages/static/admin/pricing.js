// The organiser's pricing page: promo codes (list, create, stop), an event's service fee, tax rates.
// Every figure is sent as the API takes it: basis points and minor units (the page converts percents).
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var api = UsherSession.api;
  var events = {};
  function say(text, isError) { $('message').textContent = text; $('message').className = isError ? 'error' : 'notice'; }
  async function answer(res, form) {
    var body = await res.json().catch(function () { return {}; });
    if (!res.ok) { var rest = Usher.showErrors(form, body, res.status); say(rest || 'Please correct the fields marked.', true); throw new Error(body.code || 'refused'); }
    return body;
  }
  var num = function (id) { var v = $(id).value.trim(); return v === '' ? undefined : Number(v); };
  var bps = function (id) { var v = num(id); return v === undefined ? undefined : Math.round(v * 100); };

  function codeRow(c) {
    var discount = c.kind === 'percent' ? (c.value / 100) + '%' : Usher.price(c.value, c.currency);
    if (c.tierCodes.length) discount += ' on ' + c.tierCodes.join(', ');
    if (c.minQuantity > 1) discount += ' · from ' + c.minQuantity + ' tickets';
    var stop = Usher.el('button', { type: 'button', class: 'secondary', text: c.disabled ? 'Restart' : 'Stop' });
    stop.addEventListener('click', async function () {
      await answer(await api('/v1/admin/promo-codes/' + encodeURIComponent(c.id), { method: 'PATCH', body: JSON.stringify({ disabled: !c.disabled }) }), $('code-form'));
      loadCodes();
    });
    var cells = [c.code + (c.disabled ? ' (stopped)' : ''), c.eventId ? (events[c.eventId] || c.eventId) : 'every event', discount,
      c.uses + ' of ' + c.maxUses + (c.maxUsesPerBuyer ? ' (' + c.maxUsesPerBuyer + ' each)' : ''), c.validUntil ? Usher.when(c.validUntil) : '—'];
    var tr = Usher.el('tr', { 'data-code': c.code }, cells.map(function (t, i) { return Usher.el('td', { text: t, class: i === 3 ? 'num' : '' }); }));
    tr.appendChild(Usher.el('td', {}, [stop]));
    return tr;
  }
  async function loadCodes() {
    var res = await api('/v1/admin/promo-codes');
    var data = await res.json();
    $('codes').textContent = '';
    data.codes.forEach(function (c) { $('codes').appendChild(codeRow(c)); });
  }
  async function loadRates() {
    var data = await (await api('/v1/admin/tax-rates')).json();
    $('rates').textContent = '';
    data.rates.forEach(function (r) {
      $('rates').appendChild(Usher.el('tr', {}, [r.country, r.region || 'whole country', (r.rateBps / 100) + '%', r.inclusive ? 'include it' : 'exclude it'].map(function (t, i) { return Usher.el('td', { text: t, class: i === 2 ? 'num' : '' }); })));
    });
  }
  async function loadEvents() {
    var data = await (await api('/v1/admin/events')).json();
    data.events.forEach(function (e) {
      events[e.id] = e.title;
      ['code-event', 'fee-event'].forEach(function (id) { $(id).appendChild(Usher.el('option', { value: e.id, text: e.title })); });
    });
  }

  $('code-form').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    Usher.clearErrors($('code-form'));
    var kind = $('kind').value;
    var body = {
      code: $('code').value.trim(), kind: kind, value: kind === 'percent' ? bps('value') : num('value'), maxUses: num('maxUses'),
      minQuantity: num('minQuantity') || 1,
      tierCodes: $('tierCodes').value.split(',').map(function (s) { return s.trim(); }).filter(Boolean),
    };
    if ($('code-event').value) body.eventId = $('code-event').value;
    if (kind === 'fixed') body.currency = $('currency').value.trim().toUpperCase();
    if (num('maxUsesPerBuyer')) body.maxUsesPerBuyer = num('maxUsesPerBuyer');
    if ($('validUntil').value) body.validUntil = new Date($('validUntil').value).toISOString();
    $('code-btn').disabled = true;
    try {
      var c = await answer(await api('/v1/admin/promo-codes', { method: 'POST', body: JSON.stringify(body) }), $('code-form'));
      say('Code ' + c.code + ' created.');
      $('code-form').reset();
      loadCodes();
    } catch (e) { /* shown beside the fields */ } finally { $('code-btn').disabled = false; }
  });

  $('fee-form').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    Usher.clearErrors($('fee-form'));
    try {
      await answer(await api('/v1/admin/events/' + encodeURIComponent($('fee-event').value) + '/fees', { method: 'PUT', body: JSON.stringify({ feeFixedMinor: num('feeFixedMinor') || 0, feePercentBps: bps('feePercent') || 0 }) }), $('fee-form'));
      say('Fee saved: it applies to checkouts from now on.');
    } catch (e) { /* shown beside the fields */ }
  });

  $('tax-form').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    Usher.clearErrors($('tax-form'));
    try {
      await answer(await api('/v1/admin/tax-rates', { method: 'PUT', body: JSON.stringify({ country: $('country').value.trim().toUpperCase(), region: $('region').value.trim().toUpperCase(), rateBps: bps('rate'), inclusive: $('inclusive').checked }) }), $('tax-form'));
      say('Rate saved.');
      loadRates();
    } catch (e) { /* shown beside the fields */ }
  });

  $('venue-form').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    Usher.clearErrors($('venue-form'));
    try {
      await answer(await api('/v1/admin/venues/' + encodeURIComponent($('venue').value) + '/tax-location', { method: 'PUT', body: JSON.stringify({ country: $('venue-country').value.trim().toUpperCase(), region: $('venue-region').value.trim().toUpperCase() }) }), $('venue-form'));
      say('Venue location saved: its events are taxed at that rate from now on.');
    } catch (e) { /* shown beside the fields */ }
  });
  async function loadVenues() {
    var data = await (await api('/v1/admin/venues')).json();
    data.venues.forEach(function (v) { $('venue').appendChild(Usher.el('option', { value: v.id, text: v.name + ', ' + v.city })); });
  }

  if (!UsherSession.read()) { UsherSession.toLogin(); return; }
  loadEvents().then(loadVenues).then(loadCodes).then(loadRates).catch(function (e) { say(e.message, true); });
})();
