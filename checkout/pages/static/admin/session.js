// Organiser session in sessionStorage (gone when the tab closes): access + refresh token.
// api() adds the bearer, refreshes once on 401, and sends to the login page when that fails.
(function () {
  'use strict';
  var KEY = 'usher.admin.session';
  function read() { try { return JSON.parse(sessionStorage.getItem(KEY) || 'null'); } catch (e) { return null; } }
  function save(s) { sessionStorage.setItem(KEY, JSON.stringify(s)); }
  function toLogin() { location.assign('/admin/login?next=' + encodeURIComponent(location.pathname + location.search)); }
  var refreshing = null;
  function refresh() {
    var s = read();
    if (!s || !s.refreshToken) return Promise.resolve(false);
    refreshing = refreshing || fetch('/v1/auth/refresh', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: s.refreshToken })
    }).then(function (r) { return r.ok ? r.json().then(function (n) { save(n); return true; }) : false; })
      .catch(function () { return false; }).finally(function () { refreshing = null; });
    return refreshing;
  }
  async function api(path, init) {
    var s = read();
    if (!s) { toLogin(); throw new Error('not logged in'); }
    var go = function (token) {
      var opts = Object.assign({}, init || {});
      opts.headers = Object.assign({ authorization: 'Bearer ' + token }, opts.body ? { 'content-type': 'application/json' } : {}, opts.headers || {});
      return fetch(path, opts);
    };
    var res = await go(s.accessToken);
    if (res.status === 401 && (await refresh())) res = await go(read().accessToken);
    if (res.status === 401) { sessionStorage.removeItem(KEY); toLogin(); throw new Error('session expired'); }
    return res;
  }
  window.UsherSession = { read: read, save: save, api: api, toLogin: toLogin, clear: function () { sessionStorage.removeItem(KEY); } };
})();
