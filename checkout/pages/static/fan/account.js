// Log in (/login) and create an account (/register): one form, two modes. The API's answer is
// shown in plain words beside the field it is about; on success the fan goes where they came from.
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var form = $('account-form');
  var register = location.pathname === '/register';
  // only a path on this site, never another origin (//evil.example) or a script URL
  var next = new URLSearchParams(location.search).get('next') || '';
  if (!/^\/(?!\/)[A-Za-z0-9/_?=&%.#-]*$/.test(next)) next = '/orders';
  var keep = next === '/orders' ? '' : '?next=' + encodeURIComponent(next);

  if (register) {
    document.title = 'Create an account · Usher';
    $('heading').textContent = 'Create an account';
    $('intro').textContent = 'Keep your tickets in one place. We send a link to confirm your e-mail address.';
    $('submit').textContent = 'Create account';
    $('password').autocomplete = 'new-password';
    $('password-hint').hidden = false;
    $('switch').firstElementChild.textContent = 'Already have an account?';
    $('switch-link').textContent = 'Log in';
    $('switch-link').href = '/login' + keep;
    $('forgot').hidden = true;
  } else {
    $('switch-link').href = '/register' + keep;
  }

  // "Sign in with <provider>" when the API has one; it comes back here with #oidc=<one-time code>
  fetch('/v1/auth/oidc').then(function (r) { return r.ok ? r.json() : null; }).then(function (o) {
    if (!o || !o.enabled) return;
    $('oidc-link').textContent = 'Sign in with ' + o.name;
    $('oidc-link').href = o.startUrl + '?next=' + encodeURIComponent(next);
    $('oidc').hidden = false;
  }).catch(function () {});
  var OIDC_ERRORS = {
    email_unverified: 'Your provider has not verified this e-mail address, and an Usher account already uses it. Log in with your password instead.',
    no_email: 'Your provider did not tell us an e-mail address, which Usher needs.',
    denied: 'Sign-in was cancelled.',
  };
  var hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get('oidc') || hash.get('oidc_error')) {
    history.replaceState(null, '', location.pathname + location.search);
    if (hash.get('oidc_error')) {
      $('form-error').textContent = OIDC_ERRORS[hash.get('oidc_error')] || 'Sign-in with your provider did not work. Try again, or log in with your password.';
    } else {
      fetch('/v1/auth/oidc/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: hash.get('oidc') }) })
        .then(async function (res) {
          if (!res.ok) { $('form-error').textContent = 'That sign-in has expired. Try again.'; return; }
          var s = await res.json();
          var to = s.next;
          delete s.next;
          UsherAccount.save(s);
          location.assign(/^\/(?!\/)/.test(to) ? to : '/orders');
        })
        .catch(function () { $('form-error').textContent = 'Usher could not be reached. Check your connection and try again.'; });
    }
  }

  form.addEventListener('input', function (ev) {
    // a corrected field loses its message; the others keep theirs
    if (ev.target.getAttribute('aria-invalid')) { ev.target.removeAttribute('aria-invalid'); $(ev.target.id + '-error').textContent = ''; }
  });

  form.addEventListener('submit', async function (ev) {
    ev.preventDefault();
    Usher.clearErrors(form);
    $('form-error').textContent = '';
    $('submit').disabled = true;
    try {
      var res = await fetch('/v1/auth/' + (register ? 'register' : 'login'), {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: $('email').value.trim(), password: $('password').value }),
      });
      if (!res.ok) {
        var p = await Usher.readProblem(res);
        if (res.status === 409) p = { detail: 'An account with this e-mail exists already. Log in instead.' };
        if (res.status === 401) p = { detail: 'That e-mail and password do not match an account.' };
        $('form-error').textContent = Usher.showErrors(form, p, res.status);
        return;
      }
      UsherAccount.save(await res.json());
      location.assign(next);
    } catch (e) {
      $('form-error').textContent = 'Usher could not be reached. Check your connection and try again.';
    } finally {
      $('submit').disabled = false;
    }
  });
})();
