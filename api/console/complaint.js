// One complaint in the console: its facts, live deadlines and escalation level, the full timeline (each
// step with its author, each email with its text), and a small form for each action the API says the
// signed-in person may take now (availableActions). The workflow decides; its refusal is shown in words
// next to the form. The page follows the complaint by itself (every 10 s, every 2 s after an action).
'use strict';

(function () {
  const { el, label, dateTime } = window.Dash;
  const Con = window.Con;
  const $ = (id) => document.getElementById(id);
  const id = (/^\/console\/complaints\/(\d+)\/?$/.exec(location.pathname) || [])[1];

  let who = null;
  let choices = null; // lists, departments, staff
  let shownActions = '';
  let lastSeen = '';
  let fastUntil = 0;

  // ---- the action forms ----------------------------------------------------------------------------

  const text = (name, labelText, { rows = 3, optional = false } = {}) => ({ kind: 'text', name, label: labelText + (optional ? ' (optional)' : ''), rows });
  const select = (name, labelText, options, { optional = false } = {}) => ({ kind: 'select', name, label: labelText + (optional ? ' (optional)' : ''), options, optional });
  const flags = () => ({ kind: 'flags', name: 'flags', label: 'Flags' });
  const number = (name, labelText) => ({ kind: 'number', name, label: labelText });

  const codes = (list) => list.map((i) => (typeof i === 'string' ? [i, label(i)] : [i.code, i.label]));
  const staffOptions = () => choices.staff.filter((s) => s.role !== 'admin').map((s) => [String(s.id), `${s.name} (${label(s.role)}${s.department ? `, ${s.department}` : ''})`]);

  function forms() {
    const l = choices.lists;
    return {
      triage: {
        title: 'Triage', submit: 'Save triage',
        fields: [
          { kind: 'radio', name: 'valid', label: 'Decision', options: [['true', 'Accept: a valid complaint'], ['false', 'Reject']] },
          select('category', 'Category', codes(l.categories), { optional: true }), select('severity', 'Severity', codes(l.severities), { optional: true }),
          select('department', 'Department', choices.departments.map((d) => [d.code, d.name]), { optional: true }),
          select('ownerId', 'Owner', staffOptions(), { optional: true }), flags(),
          text('rejectionReason', 'Reason for rejecting (sent to the customer)', { optional: true }),
        ],
        body: (v) => ({
          valid: v.valid === 'true' ? true : v.valid === 'false' ? false : undefined,
          ...(v.valid === 'false' ? { rejectionReason: v.rejectionReason } : {
            category: v.category, severity: v.severity, department: v.department, ownerId: v.ownerId ? Number(v.ownerId) : undefined, flags: v.flags,
          }),
        }),
      },
      reclassify: {
        title: 'Reclassify', submit: 'Reclassify',
        fields: [select('severity', 'New severity', codes(l.severities)), flags(), text('reason', 'Why'), select('ownerId', 'New owner', staffOptions(), { optional: true })],
        body: (v) => ({ severity: v.severity, flags: v.flags, reason: v.reason, ownerId: v.ownerId ? Number(v.ownerId) : undefined }),
      },
      notes: { title: 'Add a note', submit: 'Add note', fields: [text('text', 'Note (staff only)')], body: (v) => ({ text: v.text }) },
      'root-cause': {
        title: 'Root cause', submit: 'Record root cause',
        fields: [select('rootCause', 'Root cause', codes(l.rootCauses)), text('detail', 'Detail', { optional: true })],
        body: (v) => ({ rootCause: v.rootCause, detail: v.detail }),
      },
      report: { title: 'Investigation report', submit: 'Submit report', fields: [text('report', 'Report', { rows: 6 })], body: (v) => ({ report: v.report }) },
      'customer-requests': { title: 'Ask the customer', submit: 'Send question', fields: [text('question', 'Question (emailed to the customer)')], body: (v) => ({ question: v.question }) },
      'customer-replies': { title: "Record the customer's reply", submit: 'Record reply', fields: [text('reply', 'Their answer')], body: (v) => ({ reply: v.reply }) },
      responses: { title: 'Message the customer', submit: 'Send message', fields: [text('message', 'Message (emailed to the customer)')], body: (v) => ({ message: v.message }) },
      resolution: {
        title: 'Propose a resolution', submit: 'Propose resolution',
        fields: [select('resolutionCode', 'Resolution', codes(l.resolutionCodes)), text('summary', 'Summary (goes into the letter to the customer)'),
          select('remedy', 'Remedy', codes(l.remedies)), number('refundAmount', 'Refund amount (for a refund)'),
          select('upheld', 'Upheld, for the regulators\' returns', [['true', 'Upheld (wholly or partly)'], ['false', 'Not upheld']], { optional: true }),
          number('redressAmount', 'Redress paid, if not the refund (optional)')],
        body: (v) => ({
          resolutionCode: v.resolutionCode, summary: v.summary, remedy: v.remedy, refundAmount: v.refundAmount ? Number(v.refundAmount) : undefined,
          upheld: v.upheld ? v.upheld === 'true' : undefined, redressAmount: v.redressAmount ? Number(v.redressAmount) : undefined,
        }),
      },
      'sign-off': {
        title: 'Sign-off', submit: 'Sign off', alternative: 'Send back',
        fields: [text('comment', 'Comment (needed to send it back)', { optional: true })],
        body: (v, submitter) => ({ approve: submitter !== 'alternative', comment: v.comment }),
      },
      withdrawal: { title: 'Withdraw', submit: 'Withdraw the complaint', danger: true, fields: [text('reason', 'Why it is withdrawn')], body: (v) => ({ reason: v.reason }) },
    };
  }

  function field(action, f) {
    const fid = `${action}-${f.name}`;
    if (f.kind === 'radio') {
      return el('fieldset', { className: 'choice' }, el('legend', { text: f.label }),
        ...f.options.map(([value, t], i) => el('label', {}, el('input', { type: 'radio', name: f.name, value, id: i === 0 ? fid : `${fid}-${i}` }), ` ${t}`)));
    }
    if (f.kind === 'flags') {
      return el('fieldset', { className: 'choice' }, el('legend', { text: f.label }),
        ...choices.lists.flags.map((flag) => el('label', {}, el('input', { type: 'checkbox', name: 'flags', value: flag, id: `${fid}-${flag}` }), ` ${label(flag)}`)));
    }
    let input;
    if (f.kind === 'text') input = el('textarea', { id: fid, name: f.name, rows: f.rows });
    else if (f.kind === 'number') input = el('input', { id: fid, name: f.name, type: 'number', min: '0', step: '0.01', inputMode: 'decimal' });
    else input = el('select', { id: fid, name: f.name }, el('option', { value: '', text: f.optional ? '—' : 'Choose…' }), ...f.options.map(([value, t]) => el('option', { value, text: t })));
    return el('label', { htmlFor: fid }, f.label, input);
  }

  function values(form) {
    const v = {};
    for (const element of form.elements) {
      if (!element.name) continue;
      if (element.type === 'checkbox') { if (element.checked) (v[element.name] = v[element.name] || []).push(element.value); continue; }
      if (element.type === 'radio') { if (element.checked) v[element.name] = element.value; continue; }
      const value = String(element.value).trim();
      if (value !== '') v[element.name] = value;
    }
    if (form.querySelector('input[name=flags]') && !v.flags) v.flags = [];
    return v;
  }

  function buildForms(available) {
    const all = forms();
    const box = $('action-forms');
    box.replaceChildren();
    $('no-actions').hidden = available.length > 0;
    for (const name of available) {
      const spec = all[name];
      if (!spec) continue;
      let key = Con.newKey();
      const submit = el('button', { type: 'submit', value: 'primary', text: spec.submit, className: spec.danger ? 'danger' : '' });
      const form = el('form', { className: 'action-form', noValidate: true, dataset: { action: name }, attrs: { 'aria-labelledby': `${name}-title` } },
        el('h3', { id: `${name}-title`, text: spec.title }),
        el('p', { className: 'form-message message error', hidden: true, tabIndex: -1 }),
        ...spec.fields.map((f) => field(name, f)),
        el('div', { className: 'form-actions' }, submit, spec.alternative ? el('button', { type: 'submit', value: 'alternative', className: 'secondary', text: spec.alternative }) : null));
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        const submitter = event.submitter ? event.submitter.value : 'primary';
        const body = spec.body(values(form), submitter);
        for (const b of form.querySelectorAll('button')) b.disabled = true;
        form.querySelector('.form-message').hidden = true; // the last answer is not this one's
        try {
          const res = await Con.call('POST', `/complaints/${id}/${name}`, body, { idempotencyKey: key });
          key = Con.newKey();
          const done = res.status === 202
            ? `${spec.title}: accepted, will take effect once the complaint's earlier steps are done. This page updates itself.`
            : `${spec.title}: done.`;
          form.reset(); // the other forms keep what is typed in them; all are rebuilt only when the actions change
          fastUntil = Date.now() + 60_000;
          await refresh(true);
          showPending(done);
        } catch (err) {
          if (err.status >= 400 && err.status < 500 && err.status !== 409 || err.code === 'invalid_state') key = Con.newKey();
          Con.showRefusal(form, err);
        } finally {
          for (const b of form.querySelectorAll('button')) b.disabled = false;
        }
      });
      box.append(form);
    }
  }

  function showPending(textValue) {
    const p = $('pending');
    p.textContent = textValue;
    p.hidden = false;
  }

  // ---- facts, deadlines, timeline ------------------------------------------------------------------

  function drawFacts(c, state) {
    document.title = `${c.reference} · Complaint console`;
    $('reference').textContent = `${c.reference} — ${c.customerName} — ${c.product}`;
    const flagList = [c.flagLegal && 'legal', c.flagSafety && 'safety', c.flagFinancial && 'financial'].filter(Boolean);
    const owner = choices.staff.find((s) => s.id === c.ownerId);
    const facts = [
      ['Stage', label(state ? state.stage : c.stage)], ['Outcome', c.outcome ? label(c.outcome) : 'open'],
      ['Severity', c.severity ? label(c.severity) : 'not triaged'], ['Priority', label(c.priority)],
      ['Department', c.department || '—'], ['Owner', owner ? owner.name : '—'], ['Category', c.category ? label(c.category) : '—'],
      ['Flags', flagList.length ? flagList.join(', ') : 'none'], ['Channel', label(c.channel)], ['Language', c.language],
      ['Customer', `${c.customerName} <${c.customerEmail}>`], ['Phone', c.customerPhone || '—'],
      ['Received', dateTime(c.createdAt)], ['Happened on', c.occurredOn ? String(c.occurredOn).slice(0, 10) : '—'],
      ['Root cause', c.rootCause ? label(c.rootCause) : '—'], ['Reopened', `${c.reopenCount} time${c.reopenCount === 1 ? '' : 's'}`],
    ];
    $('facts').replaceChildren(...facts.map(([k, v]) => el('div', {}, el('dt', { text: k }), el('dd', { text: v }))));
    // Held to a regulator's rules: its deadlines as evidence, on a page to print.
    if (c.regulation) {
      $('facts').append(el('div', {}, el('dt', { text: 'Regulation' }),
        el('dd', {}, `${c.regulation} · `, el('a', { href: `/dashboard/complaints/${encodeURIComponent(c.id)}/regulatory-evidence`, text: 'regulatory evidence' }))));
    }
    $('description').textContent = c.description;
  }

  function drawDeadlines(state) {
    const body = $('deadlines-body');
    const deadlines = state && Array.isArray(state.deadlines) ? state.deadlines : [];
    $('deadlines-empty').hidden = deadlines.length > 0;
    $('escalation').textContent = state ? `escalation level: ${Con.escalation(state.escalationLevel)}` : '';
    $('escalation').dataset.level = state ? String(state.escalationLevel) : '';
    body.replaceChildren(...deadlines.map((d) => {
      let stateText = 'running';
      let cls = 'pill';
      if (d.metAt) stateText = `met ${dateTime(d.metAt)}`;
      else if (d.breachedAt) { stateText = `breached ${dateTime(d.breachedAt)}`; cls = 'pill breached'; }
      else if (d.paused) stateText = 'paused';
      else if (d.warned) { stateText = 'past warning point'; cls = 'pill warning'; }
      const live = !d.metAt && !d.paused;
      return el('tr', { dataset: { clock: d.clock } },
        el('th', { scope: 'row', text: `${label(d.clock)}${d.round > 1 ? ` (round ${d.round})` : ''}` }),
        el('td', { text: dateTime(d.dueAt) }),
        el('td', {}, live ? Con.countdown(d.dueAt, d.warnAt, { breached: !!d.breachedAt }) : el('span', { className: 'status', text: '—' })),
        el('td', {}, el('span', { className: cls, text: stateText })),
        el('td', { text: (d.escalatedTo || []).map(label).join(', ') || '—' }));
    }));
    Con.tick();
  }

  const ALERTS = new Set(['sla_breached', 'escalated', 'reopened', 'email_undeliverable']);
  const NOTICES = new Set(['sla_warning', 'customer_info_requested', 'survey_reminder_sent', 'reclassified']);
  const CODED = new Set(['clock', 'level', 'channel', 'rootCause', 'resolutionCode', 'remedy', 'category', 'severity', 'outcome', 'stage', 'from', 'to']);
  const HIDDEN = new Set(['requestId', 'text', 'decidedAt']);

  function details(data) {
    if (!data || typeof data !== 'object') return [];
    return Object.entries(data)
      .filter(([k, v]) => !HIDDEN.has(k) && v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && !v.length))
      .map(([k, v]) => {
        let value = v;
        if (typeof v === 'boolean') value = v ? 'yes' : 'no';
        else if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v)) value = dateTime(v);
        else if (Array.isArray(v)) value = v.map((x) => label(x)).join(', ');
        else if (typeof v === 'object') value = JSON.stringify(v);
        else if (k === 'ownerId') value = (choices.staff.find((s) => s.id === v) || { name: `#${v}` }).name;
        else if (CODED.has(k)) value = label(v);
        return el('span', { text: `${label(k)}: ${value}` });
      });
  }

  function drawTimeline(events, emails) {
    const items = [
      ...events.map((e, i) => ({ at: Date.parse(e.at), order: i, node: step(e) })),
      ...emails.map((m, i) => ({ at: Date.parse(m.createdAt), order: 10_000 + i, node: email(m) })),
    ].sort((a, b) => a.at - b.at || a.order - b.order);
    $('steps').replaceChildren(...items.map((i) => i.node));
    $('step-count').textContent = `${events.length} step${events.length === 1 ? '' : 's'}, ${emails.length} email${emails.length === 1 ? '' : 's'}`;
  }

  function step(e) {
    const byCustomer = e.type === 'customer_replied' || e.type === 'survey_answered' || (e.type === 'received' && e.data && e.data.via);
    const actor = e.actor ? `by ${e.actor.name} (${label(e.actor.role)})` : byCustomer ? 'by the customer' : 'by the process';
    const parts = details(e.data);
    const said = e.data && typeof e.data.text === 'string' ? e.data.text : null;
    return el('li', { className: ALERTS.has(e.type) ? 'alert' : NOTICES.has(e.type) ? 'notice' : '', dataset: { type: e.type } },
      el('div', { className: 'step-head' },
        el('span', { className: 'step-type', text: label(e.type) }),
        el('time', { dateTime: e.at, text: dateTime(e.at) }),
        el('span', { className: 'actor', text: actor })),
      parts.length ? el('p', { className: 'details' }, ...parts) : null,
      said ? el('blockquote', { className: 'said pre', text: said }) : null);
  }

  function email(m) {
    const state = { sent: `sent ${dateTime(m.sentAt)}`, pending: 'waiting to be sent', sending: 'being sent', undeliverable: 'refused by the mail server', stopped: 'stopped (withdrawn)' }[m.status] || m.status;
    return el('li', { className: `email ${m.status === 'undeliverable' ? 'alert' : ''}`, dataset: { type: 'email', kind: m.kind, status: m.status } },
      el('div', { className: 'step-head' },
        el('span', { className: 'step-type', text: `Email: ${m.subject}` }),
        el('time', { dateTime: m.createdAt, text: dateTime(m.createdAt) }),
        el('span', { className: 'actor', text: `to ${m.recipient} · ${state}` })),
      el('details', {}, el('summary', { text: `${label(m.kind)} — the text as sent` }), el('pre', { className: 'email-text', text: m.textBody })));
  }

  // ---- loading -------------------------------------------------------------------------------------

  let lastStep = '';
  let parts = null;
  /** The complaint (every poll); its timeline and emails only when it has taken a step since. */
  async function refresh(force = false) {
    try {
      const c = await Con.get(`/complaints/${id}`);
      const state = c.workflow && c.workflow.state ? c.workflow.state : null;
      const step = JSON.stringify([c.workflowStep, c.updatedAt, state && state.step]);
      if (force || step !== lastStep || !parts || parts.emails.some((m) => m.status === 'pending' || m.status === 'sending')) {
        const [events, emails] = await Promise.all([Con.get(`/complaints/${id}/timeline`), Con.get(`/complaints/${id}/emails`)]);
        parts = { events, emails };
        lastStep = step;
      }
      const seen = JSON.stringify([step, state, parts.events.length, parts.emails.map((m) => m.status)]);
      if (!force && seen === lastSeen) return;
      lastSeen = seen;
      drawFacts(c, state);
      drawDeadlines(state);
      drawTimeline(parts.events, parts.emails);
      const actions = (c.availableActions || []).join(',');
      if (actions !== shownActions) { shownActions = actions; buildForms(c.availableActions || []); }
      $('complaint').hidden = false;
      $('complaint').dataset.step = state ? String(state.step) : '';
      $('complaint').dataset.stage = state ? state.stage : c.stage;
    } catch (err) {
      if (err.status !== 401) Con.showMessage(err.message);
    }
  }

  Con.start().then(async (me) => {
    who = me;
    if (!id) return Con.showMessage('This address names no complaint.');
    const [lists, departments, staff] = await Promise.all([Con.get('/lists'), Con.get('/departments'), Con.get('/staff')]);
    choices = { lists, departments, staff };
    if (new URLSearchParams(location.search).get('registered')) showPending('Registered. The acknowledgement goes to the customer by itself.');
    await refresh(true);
    let last = 0;
    setInterval(() => {
      const every = Date.now() < fastUntil ? 2000 : 10_000;
      if (document.hidden || Date.now() - last < every) return;
      last = Date.now();
      void refresh();
    }, 1000);
  }, () => undefined);
  void who;
})();
