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
  } else {
    $('switch-link').href = '/register' + keep;
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
