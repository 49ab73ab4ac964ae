// The sign-in page: POST /session with email and password; the session cookie comes back, and the
// browser goes on to the page it came from (a console or dashboard page only).
'use strict';

(function () {
  const form = document.getElementById('sign-in-form');
  const box = document.getElementById('message');
  const params = new URLSearchParams(location.search);
  const next = params.get('next');
  const target = next && /^\/(console|dashboard)(\/|$|\?|#)/.test(next) ? next : '/console';
  const show = (text, kind = 'error') => {
    box.textContent = text;
    box.className = `message ${kind}`;
    box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    box.hidden = false;
  };
  if (params.get('signedOut')) show('You are signed out.', 'info');

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = document.getElementById('sign-in-button');
    button.disabled = true;
    try {
      const res = await fetch('/session', {
        method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ email: form.email.value.trim(), password: form.password.value }),
      });
      if (res.ok) return location.assign(target);
      const body = await res.json().catch(() => ({}));
      const e = body.error || {};
      if (res.status === 429) show(`${e.message || 'Too many failed sign-ins.'} (wait ${res.headers.get('Retry-After') || 'a while'} s)`);
      else if (e.fields) show(Object.entries(e.fields).map(([k, v]) => `${k === 'email' ? 'Email' : 'Password'} ${v}`).join('; '));
      else show(e.message || `Sign-in failed (${res.status})`);
      form.password.value = '';
      form.password.focus();
    } catch (err) {
      show(`The service could not be reached (${err.message}).`);
    } finally {
      button.disabled = false;
    }
  });
})();
