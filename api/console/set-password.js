// The page of the emailed link: the token is the part after #, which never reaches a server log.
'use strict';

(function () {
  const form = document.getElementById('password-form');
  const box = document.getElementById('message');
  const token = location.hash.slice(1);
  const show = (text, kind = 'error') => { box.textContent = text; box.className = `message ${kind}`; box.hidden = false; };
  if (!token) show('This page needs the link from your email (it ends in #…). Ask an admin for a new one.');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (form.password.value !== form.confirm.value) return show('The two passwords differ.');
    const res = await fetch('/password', {
      method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ token, password: form.password.value }),
    }).catch((err) => ({ ok: false, status: 0, json: async () => ({ error: { message: err.message } }) }));
    const body = await res.json().catch(() => ({}));
    if (!res.ok) return show((body.error && body.error.message) || `Refused (${res.status})`);
    history.replaceState(null, '', location.pathname); // the used token leaves the address bar
    form.hidden = true;
    box.replaceChildren('Your password is set. ', Object.assign(document.createElement('a'), { href: '/console/sign-in', textContent: 'Sign in' }));
    box.className = 'message info';
    box.hidden = false;
  });
})();
