// The reviews on an event page: average and count, the reviews (as text: never HTML), and for a
// logged-in fan who had a ticket and whose event has taken place, their own review to write,
// change or delete.
(function () {
  'use strict';
  var $ = function (x) { return document.getElementById(x); };
  var eventId = location.pathname.split('/').pop();
  var cursor = null;
  var mine = null;

  async function authed(method, path, body) {
    var s = UsherAccount.read();
    if (!s) return null;
    var call = function () {
      var init = { method: method, headers: { authorization: 'Bearer ' + UsherAccount.read().accessToken } };
      if (body !== undefined) { init.headers['content-type'] = 'application/json'; init.body = JSON.stringify(body); }
      return fetch(path, init);
    };
    var res = await call();
    if (res.status === 401) {
      var r = await fetch('/v1/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: s.refreshToken }) });
      if (!r.ok) { UsherAccount.save(null); return null; }
      UsherAccount.save(await r.json());
      res = await call();
    }
    return res;
  }

  function stars(n) { return '★★★★★'.slice(0, n) + '☆☆☆☆☆'.slice(0, 5 - n); }
  function item(r) {
    return Usher.el('li', { 'data-review': r.id }, [
      Usher.el('div', {}, [Usher.el('span', { class: 'stars', 'aria-label': r.rating + ' out of 5', text: stars(r.rating) }), ' ', Usher.el('strong', { text: r.author })]),
      r.body ? Usher.el('p', { class: 'review-body', text: r.body }) : null,
      Usher.el('div', { class: 'meta', text: Usher.when(r.createdAt) + (r.edited ? ' · edited' : '') }),
    ]);
  }

  async function page(first) {
    var res = await fetch('/v1/events/' + encodeURIComponent(eventId) + '/reviews?limit=10' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
    if (!res.ok) return;
    var p = await res.json();
    if (first) {
      $('reviews').textContent = '';
      $('rating-summary').textContent = p.rating.count ? '★ ' + p.rating.average.toFixed(1) + ' from ' + Usher.plural(p.rating.count, 'review') : '';
      if (!p.items.length) $('reviews').appendChild(Usher.el('li', { class: 'meta', text: 'No reviews yet.' }));
    }
    p.items.forEach(function (r) { $('reviews').appendChild(item(r)); });
    cursor = p.nextCursor;
    $('more-reviews').hidden = !cursor;
  }

  var NOTES = {
    not_yet: 'You can review this event once it has taken place.',
    no_ticket: 'Fans who had a ticket can review this event.',
    cancelled: 'This event was cancelled.',
  };
  async function own() {
    var res = await authed('GET', '/v1/events/' + encodeURIComponent(eventId) + '/reviews/mine');
    if (!res || !res.ok) { $('review-note').textContent = UsherAccount.read() ? '' : 'Had a ticket? Log in to review this event.'; return; }
    var m = await res.json();
    mine = m.review;
    $('review-form').hidden = !(m.canReview || mine);
    $('review-note').textContent = mine && mine.hidden ? 'A moderator hid your review: ' + mine.hidden.reason : (NOTES[m.reason] || '');
    $('review-delete').hidden = !mine;
    $('review-save').textContent = mine ? 'Save my review' : 'Post review';
    if (mine) { $('rating').value = String(mine.rating); $('review-body').value = mine.body; }
  }

  $('review-form').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    var form = $('review-form');
    Usher.clearErrors(form);
    var body = { rating: Number($('rating').value), body: $('review-body').value };
    var res = mine ? await authed('PATCH', '/v1/reviews/' + mine.id, body) : await authed('POST', '/v1/events/' + encodeURIComponent(eventId) + '/reviews', body);
    if (!res) { $('review-result').textContent = 'Log in again to post your review.'; return; }
    if (!res.ok) { $('review-result').textContent = Usher.showErrors(form, await Usher.readProblem(res), res.status); $('review-result').className = 'error'; return; }
    $('review-result').textContent = 'Thank you: your review is saved.';
    $('review-result').className = 'ok';
    cursor = null;
    await Promise.all([own(), page(true)]);
  });
  $('review-delete').addEventListener('click', async function () {
    if (!mine) return;
    var res = await authed('DELETE', '/v1/reviews/' + mine.id);
    if (res && res.status === 204) { mine = null; $('review-body').value = ''; $('review-result').textContent = 'Your review is deleted.'; cursor = null; await Promise.all([own(), page(true)]); }
  });
  $('more-reviews').addEventListener('click', function () { page(false); });

  page(true).catch(function () {});
  own().catch(function () {});
})();
