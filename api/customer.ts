import crypto from 'node:crypto';
import { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import { config } from '../lib/config';
import { CUSTOMER_LANGUAGES, LANGUAGE_NAMES } from '../lib/language';
import { formatDate, formatDateTime } from '../lib/locale';
import { complaintForStatusToken, serverSecret } from '../lib/status-links';
import { workflowIdFor } from '../lib/temporal';
import { escapeHtml } from '../templates/render';
import { fillPage, languageTag, pageLanguage, pageTexts, type PageTexts } from '../templates/pages';
import { recordCustomerReplyUpdate } from '../workflows/messages';
import { runUpdate } from './actions';
import type { AppDeps } from './app';
import { formBody } from './body-limits';
import { registerComplaint } from './complaints';
import { newComplaintSchema } from './schemas';
import { ApiError } from './errors';
import { pageErrors, sendPage } from './pages';
import { dropTexts, storeText } from './texts';

// The customer's own pages, in their language, without JavaScript:
//   GET/POST /complain          a complaint form for anyone (channel web, no staff actor), guarded by a
//                               hidden field, a time check and a per-address limit
//   GET/POST /status/:token     their complaint's private page: where it stands, when to expect an answer,
//                               our messages, and the answer to our question when we asked one
// Nothing else is shown there: no staff names, notes, root causes or other complaints.

/** The customer emails shown on the status page (staff emails never are). */
const CUSTOMER_EMAILS = ['acknowledgement', 'rejection', 'customer_question', 'customer_message', 'follow_up_letter', 'withdrawal', 'survey', 'survey_reminder'];
const TOKEN = /^[A-Za-z0-9_-]{20,100}$/;
/** A form sent sooner than this after it was shown is a program's. */
const MIN_FILL_MS = 2000;
const MAX_FORM_AGE_MS = 24 * 3600_000;

/** An empty form field is a field left out. */
const blankIsAbsent = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema);
const registration = newComplaintSchema.shape;

/**
 * The form's fields as a browser posts them, checked by staff registration's own rules (schemas.ts);
 * the messages shown come from the page's texts, in its language.
 */
const complaintForm = z.object({
  name: registration.customerName,
  email: registration.customerEmail,
  phone: blankIsAbsent(registration.customerPhone),
  address: blankIsAbsent(registration.customerAddress),
  product: registration.product,
  occurredOn: registration.occurredOn,
  description: z.string().transform((v) => v.replace(/\r\n?/g, '\n')).pipe(registration.description),
  language: z.enum(CUSTOMER_LANGUAGES).catch('en'),
  consent: z.literal('yes'),
});
type FormField = 'name' | 'email' | 'phone' | 'address' | 'product' | 'occurredOn' | 'description' | 'consent';
const FIELDS: FormField[] = ['name', 'email', 'phone', 'address', 'product', 'occurredOn', 'description', 'consent'];

export const answerForm = z.object({ answer: z.string().max(20_000).transform((v) => v.replace(/\r\n?/g, '\n').trim()) });

/** The form's fields as documented: those checked above, and the guards (the stamp, the hidden field). */
export const complaintFormFields = complaintForm.extend({
  started: z.string().describe('The signed instant the form was shown (the page puts it there)'),
  website: z.string().optional().describe('Left empty by people (hidden); a filled one is a program'),
  lang: z.enum(CUSTOMER_LANGUAGES).optional().describe('The language of the pages'),
});


/** The language a page is shown in: ?lang=, else the browser's first language we write in, else English. */
function requestedLanguage(req: Request): string {
  const asked = typeof req.query.lang === 'string' ? req.query.lang : typeof req.body?.lang === 'string' ? req.body.lang : '';
  if ((CUSTOMER_LANGUAGES as readonly string[]).includes(asked)) return asked;
  return req.acceptsLanguages(...CUSTOMER_LANGUAGES) || 'en';
}

export function customerRoutes(deps: AppDeps): Router {
  const { db, temporal } = deps;
  const router = Router();

  // ---- the complaint form -----------------------------------------------------------------------------

  /** A time stamp the form carries, signed so that it cannot be made up: when the form was shown. */
  const stamp = async (at = Date.now()) => `${at}.${crypto.createHmac('sha256', await serverSecret(db)).update(`form:${at}`).digest('base64url')}`;
  async function stampAge(value: unknown): Promise<number | null> {
    const [at, mac] = typeof value === 'string' ? value.split('.') : [];
    if (!at || !mac || !/^\d{13}$/.test(at)) return null;
    const expected = (await stamp(Number(at))).split('.')[1];
    if (mac.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(mac), Buffer.from(expected))) return null;
    return Date.now() - Number(at);
  }

  async function sendForm(res: Response, lang: string, input: Record<string, unknown> = {}, errors: Partial<Record<FormField | 'form', string>> = {}, status = 200) {
    const texts = pageTexts(lang);
    const value = (k: string) => (typeof input[k] === 'string' ? (input[k] as string) : '');
    const chosen = (CUSTOMER_LANGUAGES as readonly string[]).includes(value('language')) ? value('language') : lang;
    const hasErrors = Object.keys(errors).length > 0;
    sendPage(res, 'complain-form', lang, {
      started: await stamp(), lang,
      languageLinks: CUSTOMER_LANGUAGES.map((l) => `<a href="/complain?lang=${l}" lang="${l}"${l === lang ? ' aria-current="page"' : ''}>${escapeHtml(LANGUAGE_NAMES[l])}</a>`).join(''),
      languageOptions: CUSTOMER_LANGUAGES.map((l) => `<option value="${l}" lang="${l}"${l === chosen ? ' selected' : ''}>${escapeHtml(LANGUAGE_NAMES[l])}</option>`).join(''),
      ...Object.fromEntries(['name', 'email', 'phone', 'address', 'product', 'occurredOn', 'description'].map((k) => [k, value(k)])),
      consentChecked: value('consent') === 'yes' ? 'checked' : '',
      formError: errors.form ?? (hasErrors ? texts.complain.summary : ''),
      ...Object.fromEntries(FIELDS.map((f) => [`${f}Error`, errors[f] ?? ''])),
    }, { status, error: hasErrors });
  }

  const refused = (res: Response, lang: string, reason: keyof PageTexts['complain'], status: number) =>
    sendPage(res, 'complain-refused', lang, { reason: pageTexts(lang).complain[reason], lang }, { status, error: true });

  router.get('/complain', async (req, res) => { await sendForm(res, requestedLanguage(req)); });

  const perAddress = rateLimit({
    windowMs: 60_000, limit: () => config().COMPLAINT_FORM_PER_MINUTE, standardHeaders: 'draft-8', legacyHeaders: false,
    handler: (req, res) => refused(res, requestedLanguage(req), 'tooMany', 429),
  });

  router.post('/complain', perAddress, ...formBody('40kb'), async (req, res) => {
    const lang = requestedLanguage(req);
    const input: Record<string, unknown> = req.is('application/x-www-form-urlencoded') ? req.body ?? {} : {};
    if (typeof input.website === 'string' && input.website.trim() !== '') return refused(res, lang, 'bot', 400);
    const age = await stampAge(input.started);
    if (age === null || age > MAX_FORM_AGE_MS) return refused(res, lang, 'bot', 400);
    if (age < MIN_FILL_MS) return refused(res, lang, 'tooFast', 400);
    const parsed = complaintForm.safeParse(input);
    if (!parsed.success) {
      const texts = pageTexts(lang).complain;
      const errors: Partial<Record<FormField, string>> = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path[0] as FormField;
        if (FIELDS.includes(field)) errors[field] ??= texts[field];
      }
      return sendForm(res, lang, input, errors, 422);
    }
    const f = parsed.data;
    let created: Awaited<ReturnType<typeof registerComplaint>>;
    try {
      // The same path as staff registration: stored, then its workflow started, both or neither.
      created = await registerComplaint(deps, {
        customerName: f.name, customerEmail: f.email, customerPhone: f.phone, customerAddress: f.address, channel: 'web',
        description: f.description, occurredOn: f.occurredOn, product: f.product, language: f.language,
      }, { actorId: null, requestId: req.requestId, via: 'complaint_form' });
    } catch (err) {
      if (err instanceof ApiError && err.status >= 500) return sendForm(res, lang, input, { form: pageTexts(lang).complain.unavailable }, 503);
      if (err instanceof ApiError && err.status < 500) return sendForm(res, lang, input, { form: err.message }, err.status);
      throw err;
    }
    sendPage(res, 'complain-thanks', f.language, { reference: created.reference, email: f.email }, { status: 201 });
  });

  // ---- the status page ----------------------------------------------------------------------------------

  /** The complaint a link opens, with what its page shows, or null. */
  async function complaintOf(token: string) {
    const id = TOKEN.test(token) ? await complaintForStatusToken(db, token) : null;
    if (!id) return null;
    return db.complaint.findUnique({
      where: { id },
      select: {
        id: true, reference: true, product: true, language: true, timeZone: true, stage: true, createdAt: true,
        firstResponseDueAt: true, resolutionDueAt: true, resolvedAt: true, closedAt: true, erasedAt: true,
      },
    });
  }
  type Shown = NonNullable<Awaited<ReturnType<typeof complaintOf>>>;

  /** The question the customer was last asked, while the complaint waits for their answer. */
  async function openQuestion(c: Shown): Promise<string | null> {
    if (c.stage !== 'waiting_on_customer') return null;
    const asked = await db.complaintEvent.findFirst({ where: { complaintId: c.id, type: 'customer_info_requested' }, orderBy: [{ step: 'desc' }, { id: 'desc' }] });
    const textId = (asked?.data as { textId?: number } | null)?.textId;
    const text = textId ? await db.complaintText.findFirst({ where: { id: textId, complaintId: c.id }, select: { body: true } }) : null;
    return text?.body ?? null;
  }

  const STEP: Record<string, keyof PageTexts['status']['steps']> = {
    received: 'received', triage: 'received', investigation: 'investigating', resolution_proposed: 'investigating',
    waiting_on_customer: 'waiting', resolved: 'resolved', survey: 'resolved', closed: 'closed',
  };

  async function sendStatus(res: Response, c: Shown, o: { notice?: string; answer?: string; answerError?: string; status?: number } = {}) {
    const lang = pageLanguage(c.language);
    const t = pageTexts(lang).status;
    const step = STEP[c.stage] ?? 'received';
    const answered = c.resolvedAt ?? (c.stage === 'closed' ? c.closedAt : null);
    const due = ['received', 'triage'].includes(c.stage) ? c.firstResponseDueAt ?? c.resolutionDueAt : c.resolutionDueAt;
    const emails = await db.emailMessage.findMany({
      where: { complaintId: c.id, kind: { in: CUSTOMER_EMAILS }, status: 'sent' }, orderBy: { sentAt: 'asc' },
      select: { subject: true, textBody: true, sentAt: true },
    });
    const contentLang = languageTag(c.language);
    const question = await openQuestion(c);
    sendPage(res, 'status', lang, {
      reference: c.reference, product: c.product, contentLang, receivedOn: formatDate(c.createdAt, lang, c.timeZone),
      notice: o.notice ?? '', stepCode: step, step: t.steps[step],
      answerByLabel: answered ? t.answeredOn : t.answerBy,
      answerBy: answered ? formatDate(answered, lang, c.timeZone) : due ? formatDate(due, lang, c.timeZone) : t.noDate,
      questionForm: question === null ? '' : fillPage('status-question', lang, { question, contentLang, answer: o.answer ?? '', answerError: o.answerError ?? '' }),
      messages: emails.length
        ? emails.map((m) => fillPage('status-message', lang, { subject: m.subject, sentOn: formatDateTime(m.sentAt!, lang, c.timeZone), body: m.textBody, contentLang })).join('')
        : `<p class="hint">${escapeHtml(t.noMessages)}</p>`,
    }, { status: o.status ?? 200, error: !!o.answerError });
  }

  const notFound = (req: Request, res: Response) => sendPage(res, 'status-not-found', requestedLanguage(req), {}, { status: 404 });

  router.get('/status/:token', async (req, res) => {
    const c = await complaintOf(String(req.params.token));
    if (!c || c.erasedAt) return notFound(req, res);
    const t = pageTexts(pageLanguage(c.language)).status;
    await sendStatus(res, c, { notice: req.query.answered === '1' ? t.answerThanks : '' });
  });

  router.post('/status/:token', ...formBody('40kb'), async (req, res) => {
    const token = String(req.params.token);
    const c = await complaintOf(token);
    if (!c || c.erasedAt) return notFound(req, res);
    const t = pageTexts(pageLanguage(c.language)).status;
    const parsed = answerForm.safeParse(req.is('application/x-www-form-urlencoded') ? req.body ?? {} : {});
    const answer = parsed.success ? parsed.data.answer : '';
    if (!answer) return sendStatus(res, c, { answerError: t.answerMissing, status: 422 });
    if (answer.length > 10_000) return sendStatus(res, c, { answer, answerError: t.answerTooLong, status: 422 });
    if (c.stage !== 'waiting_on_customer') return sendStatus(res, c, { notice: t.answerClosed, status: 409 });
    // Stored here, passed to the workflow by id, as a reply staff record would be; the workflow decides.
    const textId = await storeText(db, { complaintId: c.id, kind: 'customer_reply', body: answer });
    try {
      await runUpdate(temporal, workflowIdFor(c.id), recordCustomerReplyUpdate, { textId });
    } catch (err) {
      if (err instanceof ApiError && err.status < 500) {
        await dropTexts(db, [textId]);
        return sendStatus(res, (await complaintOf(token)) ?? c, { notice: t.answerClosed, status: 409 });
      }
      if (err instanceof ApiError) return sendStatus(res, c, { answer, answerError: t.unavailable, status: 503 });
      throw err;
    }
    // Post, redirect, get: a reload does not send the answer again.
    res.redirect(303, `/status/${token}?answered=1`);
  });

  /** Whatever goes wrong on these pages is a page too (an unreadable or too large form, a failure). */
  const errorPages = pageErrors('customer page', (req, res, status) => {
    const lang = requestedLanguage(req);
    sendPage(res, 'complain-refused', lang, { reason: pageTexts(lang).complain.unavailable, lang }, { status, error: true });
  });
  router.use(['/complain', '/status'], errorPages);
  return router;
}
