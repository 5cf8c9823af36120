// The header every page shares: marks the current page, and shows "Log in / Register" or the
// account and "Log out". The fan's session lives in localStorage (the checkout page buys into it);
// the organiser's in sessionStorage, gone with the tab.
(function () {
  'use strict';
  var header = document.querySelector('header.site');
  var admin = !!(header && header.hasAttribute('data-admin'));
  // the organiser pages load session.js (UsherSession) first; the fan's session is kept here
  var KEY = admin ? 'usher.admin.session' : 'usher.fan.session';
  function read() {
    if (admin) return window.UsherSession ? window.UsherSession.read() : null;
    try { return JSON.parse(localStorage.getItem(KEY) || 'null'); } catch (e) { return null; }
  }
  function save(s) {
    if (admin) { if (!s && window.UsherSession) window.UsherSession.clear(); }
    else if (s) localStorage.setItem(KEY, JSON.stringify(s)); else localStorage.removeItem(KEY);
    render();
  }

  function current(path) {
    if (admin) return path.indexOf('/admin/console') === 0 ? 'console' : path === '/admin/dashboard' ? 'sales' : path === '/admin/pricing' ? 'pricing' : path === '/admin/reviews' ? 'reviews' : '';
    if (path === '/' || path.indexOf('/events/') === 0) return 'events';
    if (path === '/orders') return 'orders';
    if (path === '/login') return 'login';
    if (path === '/register') return 'register';
    if (path === '/account') return 'account';
    return '';
  }

  function render() {
    if (!header) return;
    var s = read();
    var here = current(location.pathname);
    Array.prototype.forEach.call(header.querySelectorAll('[data-nav]'), function (a) {
      if (a.getAttribute('data-nav') === here) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    });
    Array.prototype.forEach.call(header.querySelectorAll('[data-when]'), function (n) { n.hidden = (n.getAttribute('data-when') === 'signed-in') !== !!s; });
    var who = header.querySelector('[data-who]');
    if (who) { who.textContent = s && s.user ? s.user.email : ''; who.title = who.textContent; }
  }

  async function logout() {
    var s = read();
    save(null);
    if (s) {
      await fetch('/v1/auth/logout', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + s.accessToken }, body: JSON.stringify({ refreshToken: s.refreshToken }) }).catch(function () {});
    }
    location.assign(admin ? '/admin/login' : '/');
  }

  if (header) Array.prototype.forEach.call(header.querySelectorAll('[data-logout]'), function (b) { b.addEventListener('click', logout); });
  // another tab logging in or out changes the header here too
  window.addEventListener('storage', function (ev) { if (ev.key === KEY) render(); });
  render();
  window.UsherAccount = { read: read, save: save, logout: logout };
})();
