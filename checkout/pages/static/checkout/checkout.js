// The fan's checkout: pick → hold → countdown → pay (demo or Stripe Payment Element) → order page.
(function () {
  'use strict';
  var settings = JSON.parse(document.getElementById('usher-settings').textContent);
  var saleId = decodeURIComponent(location.pathname.split('/').pop() || '');
  var $ = function (id) { return document.getElementById(id); };
  var fragment = new URLSearchParams(location.hash.slice(1));
  var pass = fragment.get('pass') || sessionStorage.getItem('usher-pass-' + saleId);
  if (fragment.get('pass')) {
    // keep the pass across reloads, but out of the address bar and history
    sessionStorage.setItem('usher-pass-' + saleId, fragment.get('pass'));
    history.replaceState(null, '', location.pathname);
  }
  var hold = null;
  var timer = null;

  // words in the fan's language (i18n.js); the key itself where a page runs without it
  var T = function (key, vars) { return window.UsherI18n ? window.UsherI18n.t(key, vars) : key; };
  function say(text, isError) { var m = $('message'); m.textContent = text; m.className = isError ? 'error' : 'notice'; }
  var money = Usher.price; // common.js (the fan pages' helpers): amounts by the currency's minor unit
  // the seat map stays in view while seats are held (they are highlighted on it)
  var seatMap = null;
  function show(id) {
    ['pick', 'held', 'pay'].forEach(function (s) { $(s).hidden = s !== id; });
    $('seatmap').hidden = !(seatMap && seatMap.hasSeats()) || id === 'pay';
  }

  // A request the API shed at a rush (503 overloaded) is sent again after its Retry-After, as a
  // fan would click again: every call here is idempotent (holds and checkouts carry their key).
  var SHED_RETRIES = 3;
  function api(method, path, body, extraHeaders, attempt) {
    var headers = Object.assign({ authorization: 'Bearer ' + pass }, extraHeaders || {});
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (json) {
        var wait = Number(res.headers.get('retry-after'));
        if (res.status === 503 && json.code === 'overloaded' && (attempt || 0) < SHED_RETRIES && wait > 0) {
          return new Promise(function (r) { setTimeout(r, Math.min(wait, 10) * 1000); }).then(function () {
            return api(method, path, body, extraHeaders, (attempt || 0) + 1);
          });
        }
        if (!res.ok) { var e = new Error(Usher.problemText(json, res.status)); e.status = res.status; e.code = json.code; e.problem = json; throw e; }
        return json;
      });
    });
  }

  function busy(btn, on) { btn.disabled = on; }

  function loadAvailability() {
    return fetch('/v1/sales/' + encodeURIComponent(saleId) + '/availability').then(function (r) { return r.json(); }).then(function (a) {
      var select = $('section');
      select.innerHTML = '';
      (a.sections || []).forEach(function (s) {
        var o = document.createElement('option');
        o.value = s.sectionId;
        // which tier and what it costs, before choosing: "Block A · Standard · €80.00 · 400 left"
        var parts = [s.name];
        if (s.tierName) parts.push(s.tierName);
        if (s.priceMinor !== null && s.priceMinor !== undefined) parts.push(money(s.priceMinor, a.currency));
        parts.push(s.free === 0 ? T('co.noneLeft') : T('co.left', { n: window.UsherI18n ? window.UsherI18n.number(s.free) : s.free }));
        o.textContent = parts.join(' · ');
        o.disabled = s.free === 0;
        select.appendChild(o);
      });
      if (a.status === 'sold_out') say(T('co.soldOut'), true);
      else if (a.status === 'all_held') say(T('co.allHeld'));
    });
  }

  function renderHold(h) {
    hold = h;
    $('held-h').textContent = window.UsherI18n ? window.UsherI18n.plural(h.items.length, 'co.held') : 'Your ' + Usher.plural(h.items.length, 'ticket') + (h.items.length === 1 ? ' is' : ' are') + ' held';
    $('items').innerHTML = '';
    h.items.forEach(function (i) { var li = document.createElement('li'); li.textContent = i.label + ' — ' + money(i.priceMinor, h.currency); $('items').appendChild(li); });
    showPrice(h.breakdown || { currency: h.currency, ticketCount: h.items.length, ticketsMinor: h.amountMinor, totalMinor: h.amountMinor });
    clearInterval(timer);
    var deadline = Date.parse(h.deadline);
    function tick() {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      $('countdown').textContent = Math.floor(left / 60) + ':' + String(left % 60).padStart(2, '0');
      if (left === 0) { clearInterval(timer); say(T('co.expired'), true); show('pick'); if (seatMap) seatMap.clearHeld(); }
    }
    tick();
    timer = setInterval(tick, 1000);
  }

  // The price as the API computed it (fee, tax, the code and points once applied): never computed here.
  var lastPrice = null;
  function showPrice(b) { lastPrice = b; $('total').textContent = money(b.totalMinor, b.currency); Usher.renderBreakdown($('breakdown'), b); }
  function pricing() {
    var body = {};
    var code = $('promo-code').value.trim();
    if (code) body.promoCode = code;
    var points = Number($('points').value || 0);
    if (!$('points-field').hidden && points > 0) body.points = points;
    return body;
  }
  function accountHeaders() { var s = account(); return s && s.accessToken ? { 'x-usher-account': s.accessToken } : {}; }
  $('apply-btn').addEventListener('click', function () {
    Usher.clearErrors($('held'));
    var btn = $('apply-btn'); busy(btn, true);
    api('POST', '/v1/holds/' + encodeURIComponent(hold.holdId) + '/quote', pricing(), accountHeaders())
      .then(function (b) {
        showPrice(b);
        // a payment of 0 cannot be taken: checkout would refuse it (zero_total), so say it now
        if (b.totalMinor <= 0) say(T('co.zeroTotal'), true);
        else say(b.promoCode ? T('co.codeApplied') : '');
      })
      .catch(function (e) { refused($('held'), e.code === 'promo_code_invalid' ? { problem: { errors: [{ path: 'promoCode', message: e.message }] } } : e); })
      .finally(function () { busy(btn, false); });
  });
  function showPoints() {
    var s = account();
    if (!s || !s.accessToken) return;
    fetch('/v1/me/loyalty', { headers: { authorization: 'Bearer ' + s.accessToken } }).then(function (r) { return r.ok ? r.json() : null; }).then(function (l) {
      if (!l || l.balance <= 0) return;
      $('points-field').hidden = false;
      $('points').max = String(l.balance);
      $('points-balance').textContent = T('co.pointsBalance', { n: window.UsherI18n ? window.UsherI18n.number(l.balance) : l.balance });
    }).catch(function () { /* points are optional */ });
  }

  // a refused field's message goes beside it; the rest in the page's message line
  function refused(form, e) { var rest = Usher.showErrors(form, e.problem || { detail: e.message }, e.status); say(rest, !!rest); }

  $('pick').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var btn = $('hold-btn'); busy(btn, true);
    Usher.clearErrors($('pick'));
    var body = { kind: 'best', sectionId: $('section').value, quantity: Number($('quantity').value) };
    api('POST', '/v1/sales/' + encodeURIComponent(saleId) + '/holds', body, { 'idempotency-key': crypto.randomUUID() })
      .then(function (h) { renderHold(h); say(''); show('held'); if (seatMap && seatMap.hasSeats()) seatMap.markHeld(h); })
      .catch(function (e) { refused($('pick'), e); loadAvailability(); })
      .finally(function () { busy(btn, false); });
  });

  $('release-btn').addEventListener('click', function () {
    api('DELETE', '/v1/holds/' + encodeURIComponent(hold.holdId)).then(function () { clearInterval(timer); say(T('co.released')); show('pick'); loadAvailability(); if (seatMap) seatMap.clearHeld(); })
      .catch(function (e) { say(e.message, true); });
  });

  $('held').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var email = $('email').value.trim();
    Usher.clearErrors($('held'));
    if (!$('email').checkValidity() || !email) { refused($('held'), { problem: { errors: [{ path: 'email', message: email ? 'Invalid email address' : 'received undefined' }] } }); return; }
    var btn = $('checkout-btn'); busy(btn, true);
    checkoutAs(email, account(), false)
      .then(function (co) {
        hold.deadline = co.deadline; hold.breakdown = co.breakdown; renderHold(hold);
        $('promo-code').disabled = $('points').disabled = $('apply-btn').disabled = true;
        show('pay'); say('');
        if (co.demo) { $('demo-pay-btn').hidden = false; $('demo-pay-btn').onclick = function () { payDemo(co); }; }
        else if (co.gateway === 'paypal') startPaypal(co);
        else startStripe(co);
      })
      .catch(function (e) { refused($('held'), e); })
      .finally(function () { busy(btn, false); });
  });

  // A fan logged in on the fan pages (localStorage, same origin) buys into their account.
  var ACCOUNT_KEY = 'usher.fan.session';
  function account() { try { return JSON.parse(localStorage.getItem(ACCOUNT_KEY) || 'null'); } catch (e) { return null; } }
  function refreshAccount(s) {
    return fetch('/v1/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: s.refreshToken }) })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (next) { if (next) localStorage.setItem(ACCOUNT_KEY, JSON.stringify(next)); else localStorage.removeItem(ACCOUNT_KEY); return next; });
  }
  // One key per hold and request: a repeat of the same checkout replays its answer; a checkout the
  // fan changed after a refusal (fewer points, another code or address) is a new request, not a
  // reused key. The server still prices a hold once (checkout_priced).
  function keyOf(text) {
    var h = 5381;
    for (var i = 0; i < text.length; i++) h = ((h * 33) ^ text.charCodeAt(i)) >>> 0;
    return h.toString(36);
  }
  function checkoutAs(email, s, retried) {
    var body = Object.assign({ email: email }, pricing());
    var picked = document.querySelector('input[name="gateway"]:checked');
    if (picked) body.gateway = picked.value;
    var headers = { 'idempotency-key': 'checkout-' + hold.holdId + '-' + keyOf(JSON.stringify(body)) };
    if (s && s.accessToken) headers['x-usher-account'] = s.accessToken;
    return api('POST', '/v1/holds/' + encodeURIComponent(hold.holdId) + '/checkout', body, headers).catch(function (e) {
      // the access token lives 15 minutes: refresh once; logged out for good, buy as a guest
      if (s && !retried && e.status === 401 && /^token_/.test(e.code || '')) return refreshAccount(s).then(function (next) { return checkoutAs(email, next, true); });
      throw e;
    });
  }
  showPoints();
  var known = account();
  if (known && known.user && known.user.email && !$('email').value) $('email').value = known.user.email;

  function done(res) { clearInterval(timer); say(T('co.paid')); location.assign(res.orderUrl); }

  function payDemo() {
    var btn = $('demo-pay-btn'); busy(btn, true);
    api('POST', '/v1/holds/' + encodeURIComponent(hold.holdId) + '/demo-pay').then(done).catch(function (e) { say(e.message, true); busy(btn, false); });
  }

  function startStripe(co) {
    if (!co.publishableKey) { say(T('co.noCard'), true); return; }
    var s = document.createElement('script');
    s.src = 'https://js.stripe.com/v3/';
    s.onload = function () {
      var stripe = window.Stripe(co.publishableKey);
      var elements = stripe.elements({ clientSecret: co.clientSecret });
      elements.create('payment').mount('#payment-element');
      var btn = $('stripe-pay-btn'); btn.hidden = false;
      btn.onclick = function () {
        busy(btn, true);
        stripe.confirmPayment({ elements: elements, redirect: 'if_required' }).then(function (r) {
          if (r.error) { say(r.error.message, true); busy(btn, false); return; }
          return api('POST', '/v1/holds/' + encodeURIComponent(hold.holdId) + '/confirm').then(done);
        }).catch(function (e) { say(e.message, true); busy(btn, false); });
      };
    };
    s.onerror = function () { say(T('co.noForm'), true); };
    document.head.appendChild(s);
  }

  // PayPal: the fan approves at PayPal, which sends them back here with ?hold=…&paypal=approved|cancelled
  function startPaypal(co) {
    if (!co.approveUrl) { say(T('co.paypalNoLink'), true); return; }
    var link = $('paypal-pay-btn'); link.href = co.approveUrl; link.hidden = false;
  }
  var GATEWAYS = ['stripe', 'paypal', 'demo']; // each has a co.gateway.<name> in the catalogs
  function loadGateways() {
    return fetch('/v1/sales/' + encodeURIComponent(saleId) + '/payment-gateways').then(function (r) { return r.json(); }).then(function (g) {
      var box = $('gateway-options'); var was = box.querySelector('input:checked'); box.innerHTML = '';
      (g.gateways || []).forEach(function (name) {
        var label = document.createElement('label');
        var input = document.createElement('input');
        input.type = 'radio'; input.name = 'gateway'; input.value = name; input.checked = was ? name === was.value : name === g.default;
        label.appendChild(input); label.appendChild(document.createTextNode(' ' + (GATEWAYS.indexOf(name) >= 0 ? T('co.gateway.' + name) : name)));
        box.appendChild(label);
      });
      $('gateway-choice').hidden = (g.gateways || []).length < 2;
    });
  }
  var back = new URLSearchParams(location.search);
  function returnedFromPaypal() {
    var holdId = back.get('hold');
    history.replaceState(null, '', location.pathname);
    return api('GET', '/v1/holds/' + encodeURIComponent(holdId)).then(function (h) {
      if (back.get('paypal') !== 'approved') { renderHold(h); show('held'); say(T('co.paypalCancelled')); return; }
      say(T('co.paypalConfirming'));
      return api('POST', '/v1/holds/' + encodeURIComponent(holdId) + '/confirm').then(done);
    }).catch(function (e) { say(e.message, true); show('pick'); });
  }

  // a new language: what this script wrote is written again (the seat map does its own)
  if (window.UsherI18n) window.UsherI18n.onChange(function () {
    loadAvailability().catch(function () { /* kept as it was */ });
    loadGateways().catch(function () { /* kept as it was */ });
    if (hold) $('held-h').textContent = window.UsherI18n.plural(hold.items.length, 'co.held');
    if (lastPrice) showPrice(lastPrice);
  });
  if (settings.gateway === 'demo') $('demo-banner').hidden = false;
  if (!pass) { say(T('co.noPass'), true); return; }
  show('pick');
  loadAvailability().catch(function () { say(T('co.noSale'), true); });
  loadGateways().catch(function () { /* the sale's default gateway is used */ });
  if (back.get('paypal') && back.get('hold')) returnedFromPaypal();
  // Reserved seating: the seat map (seat-map.js) picks seats; the quantity form stays for general
  // admission and for "any good seats in this section".
  seatMap = window.UsherSeatMap.create({
    saleId: saleId,
    money: money,
    hold: function (body) {
      return api('POST', '/v1/sales/' + encodeURIComponent(saleId) + '/holds', body, { 'idempotency-key': crypto.randomUUID() })
        .then(function (h) { renderHold(h); say(''); show('held'); $('held').scrollIntoView({ block: 'nearest' }); return h; });
    },
    chooseGa: function (sectionId) { $('section').value = sectionId; $('quantity').focus(); },
  });
  seatMap.load().then(function (has) {
    if (!has) return;
    $('pick-h').setAttribute('data-i18n', 'co.orQuantity'); $('pick-h').textContent = T('co.orQuantity');
    show(hold && !$('held').hidden ? 'held' : 'pick');
  }).catch(function () { /* no map: the quantity form alone */ });
})();
