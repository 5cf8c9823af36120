// The event's header on the checkout and order pages: name, date and venue of the sale's event,
// with the organiser's branding (GET /v1/sales/:sale/page). The checkout page names its sale in its
// address (data-sale-from="path"); the order page calls UsherSaleHead.show(saleId) once it knows it.
(function () {
  'use strict';
  var head = document.getElementById('event-head');
  var last = null;
  function when(iso, tz) { return window.UsherI18n ? window.UsherI18n.when(iso, tz) : window.Usher.when(iso); }
  function render() {
    if (!head || !last) return;
    head.querySelector('.event-title').textContent = last.title;
    head.querySelector('.event-when').textContent = when(last.startsAt, last.venue.timezone) + ' · ' + last.venue.name + ', ' + last.venue.city;
    head.hidden = false;
  }
  function show(saleId) {
    if (!head || !saleId) return Promise.resolve(null);
    return fetch('/v1/sales/' + encodeURIComponent(saleId) + '/page').then(function (r) { return r.ok ? r.json() : null; }).then(function (p) {
      if (!p) return null;
      last = p;
      render();
      if (window.UsherBranding) window.UsherBranding.apply(p.branding);
      return p;
    }).catch(function () { return null; });
  }
  if (window.UsherI18n) window.UsherI18n.onChange(render);
  window.UsherSaleHead = { show: show };
  if (head && head.getAttribute('data-sale-from') === 'path') show(decodeURIComponent(location.pathname.split('/').pop() || ''));
})();
