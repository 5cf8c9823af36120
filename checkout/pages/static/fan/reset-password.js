// Forgotten password (/reset-password): asks for the link by address; the mailed link opens this
// page with #token=… (the fragment never reaches a server log), and the new password is set once.
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var post = function (path, body) { return fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }); };
  var token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (token) {
    $('ask-form').hidden = true;
    $('reset-form').hidden = false;
    $('heading').textContent = 'Choose a new password';
  }

  $('ask-form').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    Usher.clearErrors($('ask-form'));
    try {
      var res = await post('/v1/auth/password-reset', { email: $('email').value.trim() });
      if (!res.ok) { $('ask-result').textContent = Usher.showErrors($('ask-form'), await Usher.readProblem(res), res.status); $('ask-result').className = 'error'; return; }
      $('ask-result').textContent = 'If an account has this address, a link is on its way. It works once, for an hour.';
      $('ask-result').className = 'ok';
    } catch (e) { $('ask-result').textContent = 'Usher could not be reached. Try again.'; $('ask-result').className = 'error'; }
  });

  $('reset-form').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    Usher.clearErrors($('reset-form'));
    try {
      var res = await post('/v1/auth/password-reset/confirm', { token: token, newPassword: $('newPassword').value });
      var body = await Usher.readProblem(res);
      if (res.status === 422) { $('reset-result').textContent = Usher.showErrors($('reset-form'), body, res.status); $('reset-result').className = 'error'; return; }
      // any definitive answer takes the token out of the address bar
      history.replaceState(null, '', location.pathname);
      if (!res.ok) {
        $('reset-result').textContent = 'This link is not valid any more (used, expired or replaced by a newer one). Ask for a new one below.';
        $('reset-result').className = 'error';
        $('ask-form').hidden = false;
        return;
      }
      UsherAccount.save(null);
      $('reset-form').hidden = true;
      $('heading').textContent = 'Password changed';
      $('heading').insertAdjacentElement('afterend', Usher.el('p', { class: 'card', 'data-outcome': 'reset', text: 'Your password is changed and every device was logged out. Log in with the new password.' }));
      $('heading').focus();
    } catch (e) { $('reset-result').textContent = 'Usher could not be reached. Try again.'; $('reset-result').className = 'error'; }
  });
})();
