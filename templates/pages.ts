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
};
export interface RenderedPage { html: string; lang: string; styleHash: string }

const cache = new Map<string, string>();
function read(lang: string, file: string): string {
  const full = path.join(ROOT, lang === 'en' ? '' : lang, file);
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

/** Renders pages/NAME.html into the layout. `styleHash` is the CSP source that allows the layout's <style>. */
export function renderPage(name: string, lang: string, values: Record<string, unknown>, opts: { error?: boolean } = {}): RenderedPage {
  const texts = pageTexts(lang);
  const title = `${opts.error ? texts.errorTitlePrefix : ''}${texts.titles[name] ?? ''}`;
  // The layout is filled first, so that nothing a value brings in is ever taken for a placeholder.
  const layout = fillHtml(read(lang, 'layout.html'), { lang, title }, 'pages/layout.html');
  const html = layout.replace('<!--body-->', () => fillHtml(read(lang, `${name}.html`), values, `pages/${name}.html`));
  const style = /<style>([\s\S]*?)<\/style>/.exec(layout)?.[1] ?? '';
  return { html, lang, styleHash: `'sha256-${crypto.createHash('sha256').update(style).digest('base64')}'` };
}
