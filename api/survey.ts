import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { workflowIdFor } from '../lib/temporal';
import { languageTag, pageLanguage, pageTexts } from '../templates/pages';
import { pageErrors, sendPage } from './pages';
import { answerSurveyUpdate } from '../workflows/messages';
import { hashToken } from '../lib/tokens';
import { runUpdate } from './actions';
import type { AppDeps } from './app';
import { formBody, jsonBody } from './body-limits';
import { ApiError, validationError } from './errors';
import { dropTexts, storeText } from './texts';

// The customer's answer to the satisfaction survey, through the single-use link in the email:
// GET shows the form (an HTML page), POST takes the answer as JSON or as the form's post.

export const answerSchema = z.strictObject({
  score: z.number({ message: 'must be a whole number from 1 to 5' }).int('must be a whole number from 1 to 5').min(1, 'must be a whole number from 1 to 5').max(5, 'must be a whole number from 1 to 5'),
  resolved: z.boolean({ message: 'must be true or false' }),
  comment: z.string().trim().max(4000, 'must be at most 4000 characters').optional(),
});

/** The form's fields, as a browser posts them (other fields are ignored). */
export const formSchema = z.object({
  score: z.enum(['1', '2', '3', '4', '5']).transform(Number),
  resolved: z.enum(['yes', 'no']).transform((v) => v === 'yes'),
  // Browsers send line breaks as CRLF; stored as LF, like a JSON answer would be.
  comment: z.string().optional()
    .transform((v) => v?.replace(/\r\n?/g, '\n').trim() || undefined)
    .refine((v) => v === undefined || v.length <= 4000),
});
type FormField = 'score' | 'resolved' | 'comment';

const FORM_TYPE = 'application/x-www-form-urlencoded';
/** The form of the links' tokens (base64url): anything else is no link of ours, and is not looked up (PostgreSQL refuses a NUL). */
const TOKEN = /^[A-Za-z0-9_-]{1,200}$/;
/** The stage in which an unanswered, unexpired link takes answers (the workflow enters it before the email goes out). */
const OPEN_STAGE = 'survey';

type Page =
  | 'survey-form' | 'survey-thanks' | 'survey-answered' | 'survey-expired' | 'survey-closed' | 'survey-not-found'
  | 'survey-too-large' | 'survey-error';
const STATUS: Record<Page, number> = {
  'survey-form': 200, 'survey-thanks': 200, 'survey-answered': 410, 'survey-expired': 410, 'survey-closed': 410,
  'survey-not-found': 404, 'survey-too-large': 413, 'survey-error': 500,
};

/** Sends a survey page with its status (api/pages.ts). */
const sendSurveyPage = (res: Response, page: Page, language: string | null | undefined, values: Record<string, unknown> = {}, opts: { status?: number; error?: boolean } = {}) =>
  sendPage(res, page, language, values, { status: opts.status ?? STATUS[page], error: opts.error });

/** Roughly the first `max` characters of a text, on one line, cut at a word. */
function summarize(text: string, max = 80): string {
  const chars = Array.from(text.replace(/\s+/g, ' ').trim());
  if (chars.length <= max) return chars.join('');
  const cut = chars.slice(0, max).join('');
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s.,;:!?-]+$/, '')}…`;
}

export function surveyRoutes({ db, temporal }: AppDeps): Router {
  const router = Router();

  /** The answer to its complaint's workflow; the comment is stored here and passed by id (a refused answer leaves none). */
  async function sendAnswer(invitation: { complaintId: number; round: number }, answer: { score: number; resolved: boolean; comment?: string }) {
    const commentTextId = answer.comment ? await storeText(db, { complaintId: invitation.complaintId, kind: 'survey_comment', body: answer.comment }) : undefined;
    try {
      await runUpdate(temporal, workflowIdFor(invitation.complaintId), answerSurveyUpdate,
        { round: invitation.round, score: answer.score, resolved: answer.resolved, commentTextId });
    } catch (err) {
      if (commentTextId && err instanceof ApiError && err.status < 500) await dropTexts(db, [commentTextId]);
      throw err;
    }
  }

  // ---- JSON ---------------------------------------------------------------------------------------
  async function answerJson(req: Request, res: Response) {
    const parsed = answerSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw validationError(parsed.error);
    const token = String(req.params.token);
    const invitation = TOKEN.test(token) ? await db.surveyInvitation.findUnique({ where: { tokenHash: hashToken(token) } }) : null;
    if (!invitation) throw new ApiError(404, 'unknown_survey', 'This survey link is not valid');
    if (invitation.usedAt) throw new ApiError(410, 'survey_answered', 'This survey has already been answered. Thank you!');
    if (invitation.expiresAt < new Date()) throw new ApiError(410, 'survey_expired', 'This survey has closed');
    // The workflow decides; a second answer sent at the same moment comes back as 410 survey_answered.
    await sendAnswer(invitation, parsed.data);
    await db.surveyInvitation.update({ where: { tokenHash: invitation.tokenHash }, data: { usedAt: new Date() } });
    res.json({ thankYou: true, message: 'Thank you for your answer.' });
  }

  // ---- HTML ---------------------------------------------------------------------------------------
  /** The link's invitation and its own complaint, and whether it still takes an answer. */
  async function lookUp(token: string) {
    if (!TOKEN.test(token)) return { state: 'survey-not-found' as const };
    const invitation = await db.surveyInvitation.findUnique({
      where: { tokenHash: hashToken(token) },
      include: { complaint: { select: { reference: true, product: true, description: true, language: true, stage: true } } },
    });
    if (!invitation) return { state: 'survey-not-found' as const };
    const answered = invitation.usedAt !== null || (await hasAnswer(invitation.complaintId, invitation.round));
    const state: Page = answered ? 'survey-answered'
      : invitation.expiresAt < new Date() ? 'survey-expired'
      : invitation.complaint.stage !== OPEN_STAGE ? 'survey-closed'
      : 'survey-form';
    return { state, invitation, complaint: invitation.complaint };
  }
  type Found = Extract<Awaited<ReturnType<typeof lookUp>>, { invitation: unknown }>;

  const hasAnswer = async (complaintId: number, round: number) =>
    (await db.surveyResponse.findUnique({ where: { complaintId_round: { complaintId, round } }, select: { id: true } })) !== null;

  /** The form, with the customer's choices so far and a message next to each field in error. */
  function sendForm(res: Response, { complaint }: Found, input: Record<string, unknown> = {}, errors: Partial<Record<FormField | 'form', string>> = {}, status = 200) {
    const texts = pageTexts(pageLanguage(complaint.language));
    const hasErrors = Object.keys(errors).length > 0;
    const score = typeof input.score === 'string' ? input.score : '';
    const checked = (on: boolean) => (on ? 'checked' : '');
    sendSurveyPage(res, 'survey-form', complaint.language, {
      reference: complaint.reference, product: complaint.product, summary: summarize(complaint.description),
      contentLang: languageTag(complaint.language),
      score1: checked(score === '1'), score2: checked(score === '2'), score3: checked(score === '3'),
      score4: checked(score === '4'), score5: checked(score === '5'),
      resolvedYes: checked(input.resolved === 'yes'), resolvedNo: checked(input.resolved === 'no'),
      comment: typeof input.comment === 'string' ? input.comment : '',
      formError: errors.form ?? (hasErrors ? texts.errors.summary : ''),
      scoreError: errors.score ?? '', resolvedError: errors.resolved ?? '', commentError: errors.comment ?? '',
      commentInvalid: String(Boolean(errors.comment)),
    }, { status, error: hasErrors });
  }

  async function showForm(req: Request, res: Response) {
    const found = await lookUp(String(req.params.token));
    if (found.state !== 'survey-form') return sendSurveyPage(res, found.state, found.complaint?.language);
    sendForm(res, found);
  }

  async function answerForm(req: Request, res: Response) {
    const found = await lookUp(String(req.params.token));
    if (found.state !== 'survey-form') return sendSurveyPage(res, found.state, found.complaint?.language);
    const { complaint, invitation } = found;
    const texts = pageTexts(pageLanguage(complaint.language));
    const input: Record<string, unknown> = req.body ?? {};
    const parsed = formSchema.safeParse(input);
    if (!parsed.success) {
      const errors: Partial<Record<FormField, string>> = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path[0] as FormField;
        if (field in texts.errors) errors[field] ??= texts.errors[field];
      }
      return sendForm(res, found, input, errors, 400);
    }
    const answer = parsed.data;
    try {
      // The same update as a JSON answer: the workflow decides, and records it.
      await sendAnswer(invitation, answer);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.status === 503) return sendForm(res, found, input, { form: texts.errors.unavailable }, 503);
      // Refused: answered meanwhile (a second click, another tab), or closed.
      return sendSurveyPage(res, err.code === 'survey_answered' ? 'survey-answered' : 'survey-closed', complaint.language);
    }
    await db.surveyInvitation.update({ where: { tokenHash: invitation.tokenHash }, data: { usedAt: new Date() } });
    sendSurveyPage(res, 'survey-thanks', complaint.language, {
      reference: complaint.reference, score: answer.score, resolved: answer.resolved ? texts.yes : texts.no,
      comment: answer.comment ?? texts.noComment, contentLang: answer.comment ? languageTag(complaint.language) : '',
    });
  }

  /** A page, not JSON, for whatever goes wrong with a page request (including an unreadable or too large form). */
  const errorPages = pageErrors('survey page',
    (_req, res, status) => sendSurveyPage(res, status === 413 ? 'survey-too-large' : 'survey-error', null, {}, { status }),
    (req) => req.method === 'POST' && !req.is(FORM_TYPE));

  router.get('/survey/:token', showForm, errorPages);
  router.post('/survey/:token', ...jsonBody('20kb'), ...formBody('20kb'), async (req: Request, res: Response) => {
    if (req.is(FORM_TYPE)) await answerForm(req, res);
    else await answerJson(req, res);
  }, errorPages);

  return router;
}
