// The dashboard's fan panel: look a fan up (visitor id, e-mail or order number), act on them with a
// reason (revoke the pass, remove from the queue, ban, unban), and read the sale's audit log.
// Its own module: it builds its markup inside #fan-panel and only talks to /v1/admin/sales/<id>/fans
// and /audit (checkout/admin/fan-routes.ts). DOM built with textContent only.
(function () {
  'use strict';
  var saleId = new URLSearchParams(location.search).get('sale');
  var root = document.getElementById('fan-panel');
  if (!saleId || !root) return;
  var el = Usher.el;
  var base = '/v1/admin/sales/' + encodeURIComponent(saleId);
  var STATES = { none: 'No place', prequeue: 'Pre-queue', waiting: 'Waiting', offer: 'Offered a turn', admitted: 'Shopping (pass active)', done: 'Had their turn' };
  var ACTIONS = [
    { action: 'revoke_pass', label: 'Revoke pass', when: function (f) { return f.state === 'admitted'; } },
    { action: 'remove', label: 'Remove from queue', when: function (f) { return f.state !== 'none'; } },
    { action: 'ban', label: 'Ban', when: function (f) { return !f.banned; }, danger: true },
    { action: 'unban', label: 'Lift ban', when: function (f) { return !!f.banned; } },
  ];

  var by = el('select', { id: 'fan-by', name: 'by' }, [
    el('option', { value: 'visitor', text: 'Visitor id' }), el('option', { value: 'email', text: 'E-mail' }), el('option', { value: 'order', text: 'Order number' }),
  ]);
  var query = el('input', { id: 'fan-query', name: 'query', type: 'text', required: 'required', maxlength: '320', autocomplete: 'off' });
  var reason = el('input', { id: 'fan-reason', name: 'reason', type: 'text', maxlength: '500', minlength: '3', placeholder: 'e.g. 40 tabs from one address' });
  var account = el('input', { id: 'fan-account', name: 'accountEmail', type: 'email', maxlength: '320', placeholder: 'optional' });
  var result = el('p', { id: 'fan-result', class: 'notice', role: 'status', 'aria-live': 'polite' });
  var found = el('div', { id: 'fan-found' });
  var auditBody = el('tbody', { id: 'audit-rows' });
  var older = el('button', { id: 'audit-older', type: 'button', class: 'secondary', text: 'Older entries', hidden: 'hidden' });
  var lookup = el('form', { id: 'fan-lookup', class: 'control wide-input', novalidate: 'novalidate' }, [
    el('label', { for: 'fan-by', text: 'Find a fan by' }), by,
    el('label', { for: 'fan-query', class: 'visually-hidden', text: 'Visitor id, e-mail or order number' }), query,
    el('button', { type: 'submit', text: 'Look up' }),
  ]);

  root.appendChild(el('section', { class: 'card', 'aria-labelledby': 'fans-h' }, [
    el('h2', { id: 'fans-h', text: 'One fan' }),
    el('p', { class: 'meta', text: 'Every action is kept in the audit log below with your name and the reason.' }),
    lookup,
    el('div', { class: 'control wide-input' }, [el('label', { for: 'fan-reason', text: 'Reason (required to act)' }), reason]),
    el('div', { class: 'control wide-input' }, [el('label', { for: 'fan-account', text: 'Also ban / unban the account (e-mail)' }), account]),
    found, result,
  ]));
  root.appendChild(el('section', { 'aria-labelledby': 'audit-h' }, [
    el('h2', { id: 'audit-h', text: 'Audit log' }),
    el('div', { class: 'table-wrap' }, [el('table', {}, [
      el('thead', {}, [el('tr', {}, ['When', 'Who', 'Action', 'Fan', 'Reason'].map(function (h) { return el('th', { scope: 'col', text: h }); }))]),
      auditBody,
    ])]),
    older,
  ]));

  function say(text) { result.textContent = text; }

  function fanCard(f) {
    var facts = [STATES[f.state] || f.state];
    if (f.ticket !== null) facts.push('ticket ' + f.ticket);
    if (f.passRevoked) facts.push('pass revoked: ' + f.passRevoked.reason);
    if (f.banned) facts.push('banned by ' + f.banned.byEmail + ': ' + f.banned.reason);
    if (f.orders.length) facts.push('orders ' + f.orders.map(function (o) { return o.number + ' (' + o.status + ')'; }).join(', '));
    var buttons = ACTIONS.filter(function (a) { return a.when(f); }).map(function (a) {
      var b = el('button', { type: 'button', class: a.danger ? 'danger' : 'secondary', 'data-action': a.action, 'data-visitor': f.visitorId, text: a.label });
      b.addEventListener('click', function () { act(f.visitorId, a); });
      return b;
    });
    return el('li', { class: 'fan', 'data-visitor': f.visitorId }, [
      el('code', { text: f.visitorId }), ' — ', facts.join(' · '), el('div', { class: 'control buttons' }, buttons),
    ]);
  }

  async function find(ev) {
    if (ev) ev.preventDefault();
    var q = query.value.trim();
    if (!q) { say('Type a visitor id, an e-mail or an order number.'); return; }
    say('Looking…');
    var res = await UsherSession.api(base + '/fans?' + by.value + '=' + encodeURIComponent(q));
    var data = await Usher.readProblem(res);
    found.textContent = '';
    if (!res.ok) { say(Usher.problemText(data, res.status)); return; }
    var fans = data.fans.filter(function (f) { return f.state !== 'none' || f.banned || by.value === 'visitor'; });
    say(fans.length ? Usher.plural(fans.length, 'fan') + ' found.' : 'No fan found.');
    found.appendChild(el('ul', { class: 'fans' }, fans.map(fanCard)));
    (data.accounts || []).forEach(function (a) { found.appendChild(el('p', { class: 'meta', text: 'Account ' + a.email + (a.banned ? ' — banned: ' + a.banned.reason : '') })); });
  }

  async function act(visitorId, a) {
    var why = reason.value.trim();
    if (why.length < 3) { say('Give a reason (at least 3 characters) before you act.'); reason.focus(); return; }
    if (a.action === 'ban' && !confirm('Ban this visitor from the sale? Their open pages close at once.')) return;
    var body = { action: a.action, reason: why };
    if ((a.action === 'ban' || a.action === 'unban') && account.value.trim()) body.accountEmail = account.value.trim();
    say('Sending…');
    var res = await UsherSession.api(base + '/fans/' + encodeURIComponent(visitorId) + '/actions', { method: 'POST', body: JSON.stringify(body) });
    var data = await Usher.readProblem(res);
    if (!res.ok) { say(Usher.problemText(data, res.status)); return; }
    await find();
    say(a.label + ' — done' + (data.alsoBanned && data.alsoBanned.length ? ' (and ' + Usher.plural(data.alsoBanned.length, 'other visitor') + ' of the account)' : '') + '.');
    await loadAudit(true);
  }

  var nextBefore = null;
  async function loadAudit(fresh) {
    var res = await UsherSession.api(base + '/audit?limit=25' + (!fresh && nextBefore ? '&before=' + nextBefore : ''));
    if (!res.ok) return;
    var data = await res.json();
    if (fresh) auditBody.textContent = '';
    data.entries.forEach(function (e) {
      auditBody.appendChild(el('tr', {}, [
        el('td', {}, [el('time', { datetime: e.at, text: Usher.when(e.at) })]), el('td', { text: e.actor.email }),
        el('td', { text: e.action }), el('td', {}, [e.visitorId ? el('code', { text: e.visitorId }) : '—']), el('td', { text: e.reason || '—' }),
      ]));
    });
    nextBefore = data.nextBefore;
    if (nextBefore) older.removeAttribute('hidden'); else older.setAttribute('hidden', 'hidden');
  }

  lookup.addEventListener('submit', find);
  older.addEventListener('click', function () { loadAudit(false); });
  loadAudit(true);
  setInterval(function () { if (!document.hidden) loadAudit(true); }, 10000);
})();
