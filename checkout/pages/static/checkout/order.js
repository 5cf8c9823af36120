// The order page: polls until the order is confirmed (or the payment was cancelled), offers cancel.
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var orderId = decodeURIComponent(location.pathname.split('/').pop() || '');
  var token = new URLSearchParams(location.hash.slice(1)).get('token') || sessionStorage.getItem('usher-order-' + orderId);
  if (token) sessionStorage.setItem('usher-order-' + orderId, token);
  var money = Usher.price; // common.js (the fan pages' helpers): amounts by the currency's minor unit
  var ticketStates = { live: 'valid', void: 'cancelled' };
  var orderStates = { processing: 'being confirmed', committed: 'being confirmed', confirmed: 'confirmed', cancelled: 'cancelled', payment_cancelled: 'not charged', payment_failed: 'payment failed' };
  function say(text, isError) { $('message').textContent = text; $('message').className = isError ? 'error' : 'notice'; }
  function call(method, path) {
    return fetch(path, { method: method, headers: { authorization: 'Bearer ' + token } }).then(function (r) {
      return r.json().then(function (j) { if (!r.ok) throw Object.assign(new Error(Usher.problemText(j, r.status)), { code: j.code }); return j; });
    });
  }
  var current = null;
  var labels = { processing: 'Confirming your payment…', committed: 'Confirming…', confirmed: 'Confirmed — your tickets are on their way by e-mail.', cancelled: 'Cancelled.',
    payment_cancelled: 'Your seats could not be kept, and your payment was cancelled: you have not been charged.', payment_failed: 'The payment failed.' };

  function render(o) {
    current = o;
    say(labels[o.status] || o.status, o.status.indexOf('payment_') === 0);
    $('order').hidden = false;
    $('status').textContent = orderStates[o.status] || o.status;
    $('number').textContent = o.number || '';
    $('number-line').hidden = $('number-value').hidden = !o.number;
    $('count').textContent = Usher.plural(o.tickets.length, 'ticket');
    $('status').setAttribute('data-status', o.status);
    $('total').textContent = money(o.amountMinor, o.currency);
    if (o.event) { $('event').textContent = ''; $('event').appendChild(Usher.el('a', { href: '/events/' + encodeURIComponent(o.event.id), text: o.event.title })); $('when').textContent = Usher.when(o.event.startsAt) + ' · ' + o.event.venue; }
    $('tickets').innerHTML = '';
    o.tickets.forEach(function (t) {
      var tr = document.createElement('tr');
      [t.label, money(t.priceMinor, o.currency), ticketStates[t.status] || t.status].forEach(function (v, i) { var td = document.createElement('td'); td.textContent = v; if (i === 1) td.className = 'num'; tr.appendChild(td); });
      $('tickets').appendChild(tr);
    });
    $('refund').textContent = o.refund ? 'Refund: ' + money(o.refund.amountMinor, o.currency) + ' (' + o.refund.status + ')'
      : o.refundIfCancelledMinor !== null ? 'Cancelling now refunds ' + money(o.refundIfCancelledMinor, o.currency) + '.' : '';
    $('cancel-btn').hidden = o.status !== 'confirmed';
    if (o.status === 'processing' || o.status === 'committed') setTimeout(load, 1000);
  }
  function load() { call('GET', '/v1/orders/' + encodeURIComponent(orderId)).then(render).catch(function (e) { say(e.message, true); }); }
  // Past the refund cutoff the API cancels only with the fan's explicit consent to getting nothing back.
  var NO_REFUND = 'The refund deadline has passed: cancelling now refunds nothing, and your tickets become void. Cancel anyway?';
  function cancel(acceptNoRefund) {
    $('cancel-btn').disabled = true;
    call('POST', '/v1/orders/' + encodeURIComponent(orderId) + '/cancel' + (acceptNoRefund ? '?acceptNoRefund=true' : ''))
      .then(function (r) { render(r.order); })
      .catch(function (e) {
        $('cancel-btn').disabled = false;
        // the deadline passed while this page was open
        if (e.code === 'refund_cutoff_passed' && !acceptNoRefund && confirm(NO_REFUND)) return cancel(true);
        say(e.message, true);
      });
  }
  $('cancel-btn').addEventListener('click', function () {
    var noRefund = current && current.amountMinor > 0 && current.refundIfCancelledMinor === 0;
    if (!confirm(noRefund ? NO_REFUND : 'Cancel this order?')) return;
    cancel(noRefund);
  });
  if (!token) { say('Open this page from the link in your confirmation e-mail.', true); return; }
  load();
})();
