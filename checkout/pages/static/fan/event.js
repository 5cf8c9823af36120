(function () {
  'use strict';
  var id = location.pathname.split('/').pop();
  var $ = function (x) { return document.getElementById(x); };
  // One sentence per sale saying where it stands: never "on sale" twice, never "opens" once closed
  // or once it has opened, and a paused sale is said to be paused.
  function saleState(s) {
    var now = new Date();
    if (s.status === 'closed' || new Date(s.closesAt) <= now) return 'This sale has closed.';
    if (new Date(s.opensAt) > now) {
      return new Date(s.prequeueOpensAt) <= now
        ? 'The waiting room is open. The sale opens ' + Usher.when(s.opensAt) + ': everyone in the waiting room by then gets a random place in line.'
        : 'Sale opens ' + Usher.when(s.opensAt) + '. The waiting room opens ' + Usher.when(s.prequeueOpensAt) + '.';
    }
    if (s.status === 'paused') return 'Paused for now: join the queue and keep your place until it resumes.';
    var a = s.availability && s.availability.status;
    if (a === 'sold_out') return 'Sold out.';
    if (a === 'all_held') return 'Every seat is held right now; some may come back.';
    return 'On sale now.';
  }

  function saleBlock(s, event) {
    var lines = [Usher.el('p', { class: 'sale-state', text: saleState(s) })];
    lines.push(Usher.el('p', { class: 'meta', text: 'Up to ' + Usher.plural(s.perFanLimit, 'ticket') + ' per fan.' }));
    if (s.status !== 'closed' && new Date(s.closesAt) > new Date() && event.status === 'published' && (!s.availability || s.availability.status !== 'sold_out')) {
      lines.push(Usher.el('a', { class: 'button', href: s.queueUrl, text: 'Join the queue' }));
    }
    return Usher.el('div', {}, lines);
  }

  function sections(event) {
    var live = {};
    event.sales.forEach(function (s) { (s.availability ? s.availability.sections : []).forEach(function (a) { live[a.sectionId] = (live[a.sectionId] || 0) + a.free; }); });
    var body = $('sections');
    body.textContent = '';
    event.sections.forEach(function (s) {
      var free = live[s.id];
      body.appendChild(Usher.el('tr', {}, [Usher.el('th', { scope: 'row', text: s.name }), Usher.el('td', { class: 'num', text: free === undefined ? '—' : free.toLocaleString() + ' of ' + s.capacity.toLocaleString() })]));
    });
  }

  async function load(first) {
    try {
      var res = await fetch('/v1/events/' + encodeURIComponent(id));
      if (!res.ok) { $('status').textContent = res.status === 404 || res.status === 400 ? 'We could not find this event.' : await Usher.problem(res); return; }
      var e = await res.json();
      if (first) {
        document.title = e.title + ' · Usher';
        $('title').textContent = e.title + (e.status === 'cancelled' ? ' (cancelled)' : '');
        $('when').textContent = Usher.when(e.startsAt) + ' · ' + e.venue.name + ', ' + e.venue.city + (e.performer ? ' · ' + e.performer : '');
        $('description').textContent = e.description;
        var prices = $('prices');
        e.tiers.forEach(function (t) { prices.appendChild(Usher.el('tr', {}, [Usher.el('th', { scope: 'row', text: t.name }), Usher.el('td', { class: 'num', text: Usher.price(t.priceMinor, e.currency) })])); });
        $('event').hidden = false;
        $('status').textContent = '';
      }
      var sales = $('sales');
      sales.textContent = '';
      if (e.status === 'cancelled') sales.appendChild(Usher.el('p', { text: 'This event was cancelled. Every ticket holder is refunded in full.' }));
      else if (!e.sales.length) sales.appendChild(Usher.el('p', { text: 'No tickets on sale yet.' }));
      e.sales.forEach(function (s) { sales.appendChild(saleBlock(s, e)); });
      sections(e);
    } catch (err) { $('status').textContent = 'Could not reach the server.'; }
  }
  load(true);
  // live availability: the API caches it briefly, so polling every 10 s is cheap
  setInterval(function () { if (!document.hidden) load(false); }, 10000);
})();
