import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fillHtml } from './render';

// Web pages the customer sees (the survey), as files in pages/: NAME.html is put into layout.html,
// texts the code needs (titles, error messages) are in texts.json. Every {{field}} value is escaped.
// English is in pages/ itself; another language is a folder of the same files, pages/<lang>/, used
// for complaints in that language (otherwise English, and the page says lang="en").

const ROOT = path.join(__dirname, 'pages');
const LANG_TAG = /^[a-z]{2,3}(-[a-z0-9]{1,8})*$/i;

export type PageTexts = {
  titles: Record<string, string>;
  errorTitlePrefix: string;
  errors: Record<'summary' | 'score' | 'resolved' | 'comment' | 'unavailable', string>;
  yes: string;
  no: string;
  noComment: string;
  /** The public complaint form (api/customer.ts). */
  complain: Record<'summary' | 'name' | 'email' | 'phone' | 'address' | 'product' | 'occurredOn' | 'description' | 'consent'
    | 'tooFast' | 'bot' | 'tooMany' | 'unavailable', string>;
  /** The customer's status page. */
  status: {
    steps: Record<'received' | 'investigating' | 'waiting' | 'resolved' | 'closed', string>;
  } & Record<'answerBy' | 'answeredOn' | 'noDate' | 'noMessages' | 'answerMissing' | 'answerTooLong' | 'answerThanks' | 'answerClosed' | 'unavailable', string>;
};
export interface RenderedPage { html: string; lang: string; styleHash: string }

const cache = new Map<string, string>();
function read(lang: string, file: string): string {
  const own = path.join(ROOT, lang === 'en' ? '' : lang, file);
  const full = cache.has(own) || fs.existsSync(own) ? own : path.join(ROOT, file); // a page not yet translated: English
  let t = cache.get(full);
  if (t === undefined) cache.set(full, (t = fs.readFileSync(full, 'utf8')));
  return t;
}

/** The language the pages are shown in for a complaint's language: its own folder if there is one, else English. */
export function pageLanguage(language?: string | null): string {
  if (!language || !LANG_TAG.test(language)) return 'en';
  for (const tag of [language.toLowerCase(), language.split('-')[0].toLowerCase()]) {
    if (tag === 'en' || fs.existsSync(path.join(ROOT, tag, 'layout.html'))) return tag;
  }
  return 'en';
}

/** A language tag safe to put in an attribute as it is, or '' (unknown). */
export const languageTag = (language?: string | null) => (language && LANG_TAG.test(language) ? language : '');

export const pageTexts = (lang: string): PageTexts => JSON.parse(read(lang, 'texts.json'));

/** A page's part without the layout (pages/NAME.html filled), to be put into a page as {{{markup}}}. */
export const fillPage = (name: string, lang: string, values: Record<string, unknown>) => fillHtml(read(lang, `${name}.html`), values, `pages/${name}.html`);

/** Renders pages/NAME.html into the layout. `styleHash` is the CSP source that allows the layout's <style>. */
export function renderPage(name: string, lang: string, values: Record<string, unknown>, opts: { error?: boolean } = {}): RenderedPage {
  const texts = pageTexts(lang);
  const title = `${opts.error ? texts.errorTitlePrefix : ''}${texts.titles[name] ?? ''}`;
  // The layout is filled first, so that nothing a value brings in is ever taken for a placeholder.
  // One stylesheet for every language's layout, put in as it is (it is ours), and allowed by its hash.
  const style = read('en', 'layout.css');
  const layout = fillHtml(read(lang, 'layout.html'), { lang, title, style }, 'pages/layout.html');
  const html = layout.replace('<!--body-->', () => fillHtml(read(lang, `${name}.html`), values, `pages/${name}.html`));
  return { html, lang, styleHash: (styleHash ??= `'sha256-${crypto.createHash('sha256').update(style).digest('base64')}'`) };
}
let styleHash: string | undefined;
