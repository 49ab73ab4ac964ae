import fs from 'node:fs';
import path from 'node:path';
import { log } from '../lib/log';

// Emails and letters are files in this folder: NAME.subject.txt, NAME.txt and NAME.html, with
// {{field}} placeholders. Values are escaped in the HTML part; the plain-text part takes them as they are.

export interface RenderedEmail { subject: string; text: string; html: string }

export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

// {{{field}}} takes a value as it is: only for markup the code built itself, with every piece escaped.
function fill(template: string, values: Record<string, unknown>, escape: (s: string) => string, name: string) {
  return template.replace(/\{\{(\{?)\s*(\w+)\s*\}?\}\}/g, (_, raw: string, key: string) => {
    if (!(key in values)) throw new Error(`template ${name} needs a value for {{${key}}}`);
    const value = String(values[key] ?? '');
    return raw ? value : escape(value);
  });
}

/** Fills {{field}} placeholders in an HTML template, every value escaped (what the emails' HTML part does). */
export const fillHtml = (template: string, values: Record<string, unknown>, name: string) => fill(template, values, escapeHtml, name);

const cache = new Map<string, string>();
function read(file: string): string {
  let t = cache.get(file);
  if (t === undefined) cache.set(file, (t = fs.readFileSync(path.join(__dirname, file), 'utf8')));
  return t;
}

/**
 * The folder an email is written from: templates/<lang>/ when that language has the template (the
 * customer's emails in it, pt, tl, zh), otherwise this folder, in English. A customer's language
 * without the template is said in the log once per language and template.
 */
const fallbacks = new Set<string>();
export function emailLanguage(name: string, language?: string | null): string {
  const lang = (language ?? 'en').split('-')[0].toLowerCase();
  if (lang === 'en' || !/^[a-z]{2,3}$/.test(lang)) return 'en';
  if (fs.existsSync(path.join(__dirname, lang, `${name}.txt`))) return lang;
  if (!fallbacks.has(`${lang}:${name}`)) {
    fallbacks.add(`${lang}:${name}`);
    log('warn', 'no email template in the customer\'s language: written in English', { template: name, language: lang });
  }
  return 'en';
}

/** Words the code puts into emails (templates/<lang>/texts.json): the locale, the remedy sentences. */
export interface EmailTexts { locale: string; remedy: Record<string, string>; /** Why a regulator's holding letter comes before the final response. */ delayReason: string }
export const emailTexts = (lang: string): EmailTexts => JSON.parse(read(lang === 'en' ? 'texts.json' : `${lang}/texts.json`));

/** An email from its templates, in `language` when it has them (see emailLanguage); staff emails pass none. */
export function renderEmail(name: string, values: Record<string, unknown>, language?: string | null): RenderedEmail {
  const lang = emailLanguage(name, language);
  const file = (f: string) => (lang === 'en' ? f : `${lang}/${f}`);
  const layout = read(file('layout.html'));
  return {
    subject: fill(read(file(`${name}.subject.txt`)).trim(), values, (s) => s.replace(/[\r\n]+/g, ' '), name),
    text: fill(read(file(`${name}.txt`)), values, (s) => s, name),
    html: layout.replace('<!--body-->', () => fill(read(file(`${name}.html`)), values, escapeHtml, name)),
  };
}

/** Fills a short text from texts.json ({{amount}} …), values as they are. */
export const fillText = (template: string, values: Record<string, unknown>) => fill(template, values, (s) => s, 'texts.json');
