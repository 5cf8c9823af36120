// The fan's account (/account): name and phone, a new e-mail address (confirmed by the link sent
// to it), texts about orders (SMS opt-in), a new password (logs out everywhere else), and deleting
// the account.
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var session = UsherAccount.read;
  var save = UsherAccount.save;
  function toLogin() { location.replace('/login?next=' + encodeURIComponent('/account')); }
  if (!session()) { toLogin(); return; }

  async function authed(method, path, body) {
    var call = function () {
      var init = { method: method, headers: { authorization: 'Bearer ' + session().accessToken } };
      if (body !== undefined) { init.headers['content-type'] = 'application/json'; init.body = JSON.stringify(body); }
      return fetch(path, init);
    };
    var res = await call();
    if (res.status === 401) {
      // the access token lives 15 minutes; the refresh token rotates on each use
      var r = await fetch('/v1/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: session().refreshToken }) });
      if (!r.ok) { save(null); toLogin(); throw new Error('logged out'); }
      save(await r.json());
      res = await call();
    }
    return res;
  }

  function show(me) {
    $('displayName').value = me.displayName || '';
    $('phone').value = me.phone || '';
    $('current-email').textContent = me.email;
    $('verified').textContent = me.emailVerified ? 'verified' : 'not verified yet';
    $('verified').className = 'badge' + (me.emailVerified ? ' live' : '');
    $('pending').hidden = !me.pendingEmail;
    $('pending').textContent = me.pendingEmail ? 'Waiting for you to open the link we sent to ' + me.pendingEmail + '. Until then your address stays as it is.' : '';
    // an account that signs in only through its provider has no password to give
    Array.prototype.forEach.call(document.querySelectorAll('[data-needs-password]'), function (f) { f.hidden = !me.hasPassword; });
  }

  function showSms(sms) {
    $('sms-form').hidden = !sms.available && !sms.optIn;
    $('sms-opt-in').checked = sms.optIn;
    var note = '';
    if (sms.stoppedByReply) note = 'Your number replied STOP, so nothing is sent to it until you text START to the same number.';
    else if (!sms.phone) note = 'Texts need a phone number: add one under Profile first.';
    $('sms-result').textContent = note; $('sms-result').className = '';
  }
  async function loadSms() {
    var res = await authed('GET', '/v1/me/sms');
    if (res.ok) showSms(await res.json()); else $('sms-form').hidden = true;
  }

  async function load() {
    try {
      var res = await authed('GET', '/v1/me');
      if (!res.ok) { $('status').textContent = await Usher.problem(res); return; }
      show(await res.json());
      await loadSms();
      $('status').textContent = '';
      $('account').hidden = false;
    } catch (e) { if (e.message !== 'logged out') $('status').textContent = 'Usher could not be reached. Reload the page to try again.'; }
  }

  /** One form's submit: runs `send`, shows a problem under its fields or in `result`. */
  function handle(form, result, send) {
    form.addEventListener('input', function (ev) {
      if (ev.target.getAttribute('aria-invalid')) { ev.target.removeAttribute('aria-invalid'); var slot = $(ev.target.id + '-error'); if (slot) slot.textContent = ''; }
    });
    form.addEventListener('submit', async function (ev) {
      ev.preventDefault();
      Usher.clearErrors(form);
      $(result).textContent = '';
      $(result).className = '';
      var button = form.querySelector('button[type="submit"]');
      button.disabled = true;
      try {
        var message = await send();
        if (message) { $(result).textContent = message; $(result).className = 'ok'; }
      } catch (e) {
        if (e.problem) { $(result).textContent = Usher.showErrors(form, e.problem, e.status); $(result).className = 'error'; }
        else if (e.message !== 'logged out') { $(result).textContent = 'Usher could not be reached. Try again.'; $(result).className = 'error'; }
      } finally { button.disabled = false; }
    });
  }
  async function ok(res, words) {
    if (res.ok) return res.status === 204 ? null : res.json();
    var p = await Usher.readProblem(res);
    if (words && words[res.status]) p = { detail: words[res.status] };
    var err = new Error('refused');
    err.problem = p; err.status = res.status;
    throw err;
  }

  handle($('profile-form'), 'profile-result', async function () {
    var phone = $('phone').value.replace(/[\s().-]/g, '');
    var me = await ok(await authed('PATCH', '/v1/me', { displayName: $('displayName').value.trim() || null, phone: phone || null }));
    show(me);
    return 'Saved.';
  });

  handle($('sms-form'), 'sms-result', async function () {
    var optIn = $('sms-opt-in').checked;
    var sms;
    try {
      sms = await ok(await authed('PUT', '/v1/me/sms', { optIn: optIn }),
        { 409: 'Texts need a phone number on your account: add one under Profile and save it, then turn texts on.' });
    } catch (e) { if (e.status === 409) $('sms-opt-in').checked = false; throw e; }
    showSms(sms);
    if (sms.stoppedByReply) return null;
    return optIn ? 'Texts are on: we send your confirmations and reminders to ' + sms.phone + '.' : 'Texts are off.';
  });

  // the box is the switch: ticking or unticking it saves (the button does the same, for keyboards and old habits)
  $('sms-opt-in').addEventListener('change', function () { $('sms-form').requestSubmit(); });

  handle($('email-form'), 'email-result', async function () {
    var body = { email: $('email').value.trim() };
    if (!$('email-password').closest('[data-needs-password]').hidden) body.password = $('email-password').value;
    var answer = await ok(await authed('POST', '/v1/me/email', body), { 403: 'That is not your current password.', 409: 'Another account uses this address.' });
    $('email').value = ''; $('email-password').value = '';
    await load();
    return 'We sent a link to ' + answer.pendingEmail + '. Open it to start using that address.';
  });

  handle($('password-form'), 'password-result', async function () {
    var body = { newPassword: $('newPassword').value };
    if (!$('currentPassword').closest('[data-needs-password]').hidden) body.currentPassword = $('currentPassword').value;
    var fresh = await ok(await authed('POST', '/v1/me/password', body), { 403: 'That is not your current password.' });
    save(fresh); // this device keeps a session; every other one was logged out
    $('currentPassword').value = ''; $('newPassword').value = '';
    return 'Password changed. You were logged out on every other device.';
  });

  handle($('delete-form'), 'delete-result', async function () {
    if (!$('delete-confirm').checked) throw Object.assign(new Error('refused'), { problem: { detail: 'Tick the box to confirm.' }, status: 422 });
    var body = {};
    if (!$('delete-password').closest('[data-needs-password]').hidden) body.password = $('delete-password').value;
    await ok(await authed('DELETE', '/v1/me', body), { 403: 'That is not your current password.' });
    save(null);
    location.assign('/?deleted=1');
    return null;
  });

  load();
})();
