(function () {
  'use strict';
  var form = document.getElementById('login-form');
  var error = document.getElementById('login-error');
  // only our own organiser pages are valid targets after login
  var next = new URLSearchParams(location.search).get('next') || '';
  if (!/^\/admin\/[A-Za-z0-9/_?=&%.-]*$/.test(next)) next = '/admin/dashboard';
  form.addEventListener('submit', async function (ev) {
    ev.preventDefault();
    error.textContent = '';
    Usher.clearErrors(form);
    var body = { email: form.email.value.trim(), password: form.password.value };
    try {
      var res = await fetch('/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      var data = await Usher.readProblem(res);
      if (res.status === 401) data = { detail: 'That e-mail and password do not match an account.' };
      if (!res.ok) { error.textContent = Usher.showErrors(form, data, res.status); return; }
      if (data.user.role !== 'admin') { error.textContent = 'This account is not an organiser account.'; return; }
      UsherSession.save(data);
      location.assign(next);
    } catch (e) {
      error.textContent = 'Could not reach the server; try again.';
    }
  });
})();
