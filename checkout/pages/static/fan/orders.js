(function () {
  'use strict';
  var $ = function (x) { return document.getElementById(x); };
  var session = UsherAccount.read; // site.js: the header and this page share the fan's session
  var save = UsherAccount.save;
  function toLogin() { location.replace('/login?next=' + encodeURIComponent('/orders')); }

  async function authed(path, method) {
    var s = session();
    var call = function (token) { return fetch(path, { method: method || 'GET', headers: { authorization: 'Bearer ' + token } }); };
    var res = await call(s.accessToken);
    if (res.status === 401) {
      // the access token lives 15 minutes; the refresh token rotates on each use
      var r = await fetch('/v1/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: s.refreshToken }) });
      if (!r.ok) { save(null); toLogin(); return null; }
      save(await r.json());
      res = await call(session().accessToken);
    }
    return res;
  }

  function order(o) {
    var tickets = Usher.el('ul', {}, o.tickets.map(function (t) { return Usher.el('li', { text: t.label + ' · ' + Usher.price(t.priceMinor, o.currency) + (t.status === 'void' ? ' (cancelled)' : '') }); }));
    var state = o.status === 'cancelled' ? 'Cancelled' + (o.refund ? ' · refund ' + Usher.price(o.refund.amountMinor, o.currency) + ' ' + o.refund.status : '') : 'Confirmed';
    return Usher.el('li', {}, [
      Usher.el('a', { href: '/events/' + encodeURIComponent(o.event.id), text: o.event.title }),
      Usher.el('div', { class: 'meta', text: Usher.when(o.event.startsAt) + ' · ' + o.event.venueName + ', ' + o.event.city }),
      Usher.el('div', { class: 'order-line', text: 'Order ' + o.number + ' · ' + Usher.plural(o.tickets.length, 'ticket') + ' · ' + Usher.price(o.amountMinor, o.currency) + ' · ' + state }),
      tickets,
    ]);
  }

  async function show() {
    if (!session()) { toLogin(); return; }
    $('mine').hidden = false;
    $('verify').hidden = true;
    $('status').textContent = 'Loading…';
    var res = await authed('/v1/me/orders');
    if (!res) return;
    if (!res.ok) { $('status').textContent = await Usher.problem(res); return; }
    var list = $('orders');
    list.textContent = '';
    var data = await res.json();
    data.orders.forEach(function (o) { list.appendChild(order(o)); });
    $('status').textContent = data.orders.length ? Usher.plural(data.orders.length, 'order') : 'No orders yet.';
    $('empty').hidden = data.orders.length > 0;
    var points = await authed('/v1/me/loyalty');
    if (points && points.ok) { $('points-balance').textContent = String((await points.json()).balance); $('points').hidden = false; }
    // guest orders appear only once the address is verified: say so, and offer a new link
    var me = await authed('/v1/me');
    if (me && me.ok) {
      var account = await me.json();
      $('verify-email').textContent = account.email;
      $('verify').hidden = account.emailVerified;
    }
  }

  $('resend').addEventListener('click', async function () {
    $('resend').disabled = true;
    $('verify-status').textContent = '';
    var res = await authed('/v1/me/verification-email', 'POST');
    if (res) $('verify-status').textContent = res.ok ? 'Sent. Check your inbox (and the spam folder).' : await Usher.problem(res);
    $('resend').disabled = false;
  });

  show();
})();
