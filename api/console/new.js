// The registration form: POST /complaints with an Idempotency-Key made when the form is shown, so a
// double click (or a retry after a lost answer) files one complaint. The API's messages are shown next
// to the fields it names; the page checks nothing of its own.
'use strict';

(function () {
  const { el, label } = window.Dash;
  const form = document.getElementById('complaint-form');
  let key = window.Con.newKey();

  const pad = (n) => String(n).padStart(2, '0');
  const localNow = () => { const d = new Date(); return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`; };

  function body() {
    const f = form.elements;
    const value = (name) => { const v = f.namedItem(name).value.trim(); return v === '' ? undefined : v; };
    const received = value('receivedAt');
    return {
      customerName: value('customerName') ?? '', customerEmail: value('customerEmail') ?? '', customerPhone: value('customerPhone'),
      customerAddress: value('customerAddress'), channel: value('channel'), description: value('description') ?? '',
      occurredOn: value('occurredOn') ?? '', product: value('product') ?? '', language: value('language'),
      severity: value('severity'), department: value('department'), productGroup: value('productGroup'), regulation: value('regulation'),
      flags: [...form.querySelectorAll('input[name=flags]:checked')].map((c) => c.value),
      // The browser's local time as an instant; the API refuses one in the future.
      receivedAt: received ? new Date(received).toISOString() : undefined,
    };
  }

  window.Con.start().then(async (who) => {
    form.elements.namedItem('receivedBy').value = `${who.name} (${who.email})`;
    form.elements.namedItem('receivedAt').value = localNow();
    const [lists, departments] = await Promise.all([window.Con.get('/lists'), window.Con.get('/departments')]);
    form.elements.namedItem('channel').append(...lists.channels.map((c) => el('option', { value: c, text: label(c) })));
    form.elements.namedItem('productGroup').append(...lists.productGroups.map((g) => el('option', { value: g, text: label(g) })));
    form.elements.namedItem('regulation').append(...lists.regulations.map((r) => el('option', { value: r.code, text: r.name })));
    form.elements.namedItem('severity').append(...lists.severities.map((s) => el('option', { value: s, text: label(s) })));
    form.elements.namedItem('department').append(...departments.map((d) => el('option', { value: d.code, text: d.name, selected: d.code === who.department })));
    form.dataset.ready = 'true';

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        const res = await window.Con.call('POST', '/complaints', body(), { idempotencyKey: key });
        window.Con.showDone(form, `Registered as ${res.body.reference}.`);
        location.assign(`/console/complaints/${res.body.id}?registered=1`);
      } catch (err) {
        // A refusal leaves nothing behind: a corrected form is a new request with a new key.
        if (err.status >= 400 && err.status < 500 && err.code !== 'in_progress') key = window.Con.newKey();
        window.Con.showRefusal(form, err);
      }
    });
  }, () => undefined);
})();
