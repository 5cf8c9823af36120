// The moderators' review list (/admin/reviews?event=…): an event's reviews, hidden ones included,
// each with Hide (a reason is required: the author reads it) or Show, through /v1/admin/… routes.
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var api = UsherSession.api;
  var cursor = null;
  function say(text, isError) { $('message').textContent = text; $('message').className = isError ? 'error' : 'notice'; }
  async function answer(res) {
    var body = await res.json().catch(function () { return {}; });
    if (!res.ok) throw Object.assign(new Error(Usher.problemText(body, res.status)), { status: res.status });
    return body;
  }

  function row(r) {
    var status = r.hidden ? 'hidden: ' + r.hidden.reason : 'shown';
    var tr = Usher.el('tr', { 'data-review': r.id, 'data-hidden': r.hidden ? 'true' : 'false' }, [
      Usher.el('td', { class: 'num', text: '★ ' + r.rating }), Usher.el('td', { text: r.author }),
      Usher.el('td', { class: 'review-body', text: r.body || '(no text)' }), Usher.el('td', { text: Usher.when(r.createdAt) }),
      Usher.el('td', { class: 'review-status', text: status }),
    ]);
    var cell = Usher.el('td');
    if (r.hidden) {
      var show = Usher.el('button', { type: 'button', class: 'secondary', text: 'Show' });
      show.addEventListener('click', function () { moderate(tr, r, '/show', undefined, show); });
      cell.appendChild(show);
    } else {
      var id = 'reason-' + r.id;
      var reason = Usher.el('input', { id: id, name: 'reason', maxlength: '500', required: '', 'aria-describedby': id + '-error', placeholder: 'Why (the author sees this)' });
      var label = Usher.el('label', { for: id, class: 'visually-hidden', text: 'Reason for hiding the review by ' + r.author });
      var error = Usher.el('span', { id: id + '-error', class: 'field-error' });
      var hide = Usher.el('button', { type: 'button', class: 'danger', text: 'Hide' });
      hide.addEventListener('click', function () {
        var why = reason.value.trim();
        if (!why) { error.textContent = 'Give a reason: the author is told why.'; reason.setAttribute('aria-invalid', 'true'); reason.focus(); return; }
        moderate(tr, r, '/hide', { reason: why }, hide);
      });
      reason.addEventListener('input', function () { error.textContent = ''; reason.removeAttribute('aria-invalid'); });
      cell.appendChild(Usher.el('div', { class: 'field' }, [label, reason, error, hide]));
    }
    tr.appendChild(cell);
    return tr;
  }

  async function moderate(tr, r, action, body, button) {
    button.disabled = true;
    try {
      var next = await answer(await api('/v1/admin/reviews/' + encodeURIComponent(r.id) + action, { method: 'POST', body: body ? JSON.stringify(body) : undefined }));
      tr.replaceWith(row(next));
      say(next.hidden ? 'Review hidden.' : 'Review shown again.');
    } catch (e) { say(e.message, true); button.disabled = false; }
  }

  async function load(more) {
    var eventId = $('event').value;
    if (!more) { $('reviews').textContent = ''; cursor = null; }
    $('empty').hidden = true; $('more-btn').hidden = true;
    if (!eventId) return;
    try {
      var q = '?limit=50' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : '');
      var page = await answer(await api('/v1/admin/events/' + encodeURIComponent(eventId) + '/reviews' + q));
      page.items.forEach(function (r) { $('reviews').appendChild(row(r)); });
      cursor = page.nextCursor;
      $('more-btn').hidden = !cursor;
      $('empty').hidden = $('reviews').children.length > 0;
    } catch (e) { say(e.message, true); }
  }

  $('event').addEventListener('change', function () {
    history.replaceState(null, '', $('event').value ? '?event=' + encodeURIComponent($('event').value) : location.pathname);
    say(''); load(false);
  });
  $('more-btn').addEventListener('click', function () { load(true); });

  (async function () {
    try {
      var data = await answer(await api('/v1/admin/events'));
      data.events.forEach(function (e) { $('event').appendChild(Usher.el('option', { value: e.id, text: e.title })); });
      var wanted = new URLSearchParams(location.search).get('event');
      if (wanted && data.events.some(function (e) { return e.id === wanted; })) { $('event').value = wanted; load(false); }
    } catch (e) { say(e.message, true); }
  })();
})();
