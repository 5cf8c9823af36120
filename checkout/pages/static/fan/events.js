(function () {
  'use strict';
  var form = document.getElementById('search');
  var results = document.getElementById('results');
  var more = document.getElementById('more');
  var status = document.getElementById('status');
  var query = null;
  var cursor = null;
  // the catalog's currency, learnt from the events it lists (the most common one): the max price a
  // fan types is in its major unit, the API's in its minor unit (cents, but yen have none)
  var currency = null;
  function learnCurrency(items) {
    var n = {};
    items.forEach(function (e) { if (e.currency) n[e.currency] = (n[e.currency] || 0) + 1; });
    var best = Object.keys(n).sort(function (a, b) { return n[b] - n[a]; })[0];
    if (!best || currency) return;
    currency = best;
    var label = document.querySelector('label[for="maxPrice"]');
    if (label) label.textContent = 'Max price (' + currency + ')';
  }

  function params() {
    var p = new URLSearchParams();
    var f = new FormData(form);
    ['q', 'city', 'category', 'sort'].forEach(function (k) { var v = String(f.get(k) || '').trim(); if (v) p.set(k, v); });
    if (f.get('from')) p.set('from', new Date(f.get('from') + 'T00:00:00').toISOString());
    if (f.get('to')) p.set('to', new Date(f.get('to') + 'T23:59:59').toISOString());
    if (f.get('maxPrice')) p.set('maxPrice', String(Usher.toMinor(f.get('maxPrice'), currency || 'EUR')));
    if (f.get('hasSeats')) p.set('hasSeats', 'true');
    return p;
  }

  function item(e) {
    var tags = [e.hasSeatsLeft ? null : Usher.el('span', { class: 'tag out', text: 'Sold out' }),
      e.ratingCount ? Usher.el('span', { class: 'tag rating', text: '★ ' + e.ratingAverage.toFixed(1) + ' (' + Usher.plural(e.ratingCount, 'review') + ')' }) : null];
    return Usher.el('li', {}, [
      Usher.el('a', { href: '/events/' + encodeURIComponent(e.id), text: e.title }),
      Usher.el('div', { class: 'meta', text: Usher.when(e.startsAt) + ' · ' + e.venueName + ', ' + e.city }),
      Usher.el('div', { class: 'meta' }, [e.minPriceMinor === null ? '' : 'from ' + Usher.price(e.minPriceMinor, e.currency) + ' ', Usher.el('span', { class: 'tag', text: e.category.charAt(0).toUpperCase() + e.category.slice(1) })].concat(tags)),
    ]);
  }

  async function load(append) {
    var p = new URLSearchParams(query);
    p.set('limit', '20');
    if (append && cursor) p.set('cursor', cursor);
    status.textContent = 'Loading…';
    try {
      var res = await fetch('/v1/events?' + p.toString());
      if (!res.ok) { status.textContent = await Usher.problem(res); return; }
      var page = await res.json();
      if (!append) results.textContent = '';
      learnCurrency(page.items);
      page.items.forEach(function (e) { results.appendChild(item(e)); });
      cursor = page.nextCursor;
      more.hidden = !cursor;
      var shown = results.children.length ? Usher.plural(results.children.length, 'event') + ' shown' : 'No events match.';
      // nothing matched the words as typed: these are the nearest names (a typo, a prefix)
      status.textContent = page.match === 'fuzzy' && results.children.length ? 'No exact match for “' + query.get('q') + '”. Nearest names: ' + shown.replace(' shown', '') + '.' : shown;
    } catch (e) { status.textContent = 'Could not reach the server.'; }
  }

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    query = params();
    history.replaceState(null, '', '/?' + query.toString());
    load(false);
  });
  more.addEventListener('click', function () { load(true); });
  // restore a shared or reloaded search
  var initial = new URLSearchParams(location.search);
  if (initial.get('q')) form.q.value = initial.get('q');
  if (initial.get('city')) form.city.value = initial.get('city');
  query = params();
  load(false);
})();
