// The order page: polls until the order is confirmed (or the payment was cancelled), offers cancel.
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var orderId = decodeURIComponent(location.pathname.split('/').pop() || '');
  var token = new URLSearchParams(location.hash.slice(1)).get('token') || sessionStorage.getItem('usher-order-' + orderId);
  if (token) sessionStorage.setItem('usher-order-' + orderId, token);
  var money = Usher.price; // common.js (the fan pages' helpers): amounts by the currency's minor unit
  // words in the fan's language (i18n.js: ord.state.*, ord.ticket.*, ord.label.*)
  var I = window.UsherI18n;
  var T = function (key, vars) { return I.t(key, vars); };
  function say(text, isError) { $('message').textContent = text; $('message').className = isError ? 'error' : 'notice'; }
  function call(method, path) {
    return fetch(path, { method: method, headers: { authorization: 'Bearer ' + token } }).then(function (r) {
      return r.json().then(function (j) { if (!r.ok) throw Object.assign(new Error(Usher.problemText(j, r.status)), { code: j.code }); return j; });
    });
  }
  var current = null;

  function render(o) {
    current = o;
    say(T('ord.label.' + o.status), o.status.indexOf('payment_') === 0);
    $('order').hidden = false;
    $('status').textContent = T('ord.state.' + o.status);
    $('number').textContent = o.number || '';
    $('number-line').hidden = $('number-value').hidden = !o.number;
    $('count').textContent = I.plural(o.tickets.length, 'ord.count');
    $('status').setAttribute('data-status', o.status);
    $('total').textContent = money(o.amountMinor, o.currency);
    if (o.breakdown) Usher.renderBreakdown($('breakdown'), o.breakdown);
    if (o.event) { $('event').textContent = ''; $('event').appendChild(Usher.el('a', { href: '/events/' + encodeURIComponent(o.event.id), text: o.event.title })); $('when').textContent = Usher.when(o.event.startsAt) + ' · ' + o.event.venue; showHead(o.event.saleId); }
    $('tickets').innerHTML = '';
    o.tickets.forEach(function (t) {
      var tr = document.createElement('tr');
      [t.label, money(t.priceMinor, o.currency), T('ord.ticket.' + t.status)].forEach(function (v, i) { var td = document.createElement('td'); td.textContent = v; if (i === 1) td.className = 'num'; tr.appendChild(td); });
      $('tickets').appendChild(tr);
    });
    $('refund').textContent = o.refund ? T('ord.refund', { amount: money(o.refund.amountMinor, o.currency), status: o.refund.status })
      : o.refundIfCancelledMinor !== null ? T('ord.refundIfCancelled', { amount: money(o.refundIfCancelledMinor, o.currency) }) : '';
    $('cancel-btn').hidden = o.status !== 'confirmed';
    if (o.status === 'processing' || o.status === 'committed') setTimeout(load, 1000);
  }
  function load() { call('GET', '/v1/orders/' + encodeURIComponent(orderId)).then(render).catch(function (e) { say(e.message, true); }); }
  // Past the refund cutoff the API cancels only with the fan's explicit consent to getting nothing back.
  var NO_REFUND = function () { return T('ord.noRefund'); };
  function cancel(acceptNoRefund) {
    $('cancel-btn').disabled = true;
    call('POST', '/v1/orders/' + encodeURIComponent(orderId) + '/cancel' + (acceptNoRefund ? '?acceptNoRefund=true' : ''))
      .then(function (r) { render(r.order); })
      .catch(function (e) {
        $('cancel-btn').disabled = false;
        // the deadline passed while this page was open
        if (e.code === 'refund_cutoff_passed' && !acceptNoRefund && confirm(NO_REFUND())) return cancel(true);
        say(e.message, true);
      });
  }
  $('cancel-btn').addEventListener('click', function () {
    var noRefund = current && current.amountMinor > 0 && current.refundIfCancelledMinor === 0;
    if (!confirm(noRefund ? NO_REFUND() : T('ord.cancelConfirm'))) return;
    cancel(noRefund);
  });
  // the sale's header and branding, once (sale-head.js)
  var headShown = false;
  function showHead(saleId) { if (!headShown && saleId && window.UsherSaleHead) { headShown = true; window.UsherSaleHead.show(saleId); } }
  // a new language: the order is written again in it
  I.onChange(function () { if (current && current.status !== 'processing' && current.status !== 'committed') render(current); });
  if (!token) { say(T('ord.openFromEmail'), true); return; }
  load();
})();
