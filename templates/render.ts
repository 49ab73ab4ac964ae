import fs from 'node:fs';
import path from 'node:path';

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

export function renderEmail(name: string, values: Record<string, unknown>): RenderedEmail {
  const layout = read('layout.html');
  return {
    subject: fill(read(`${name}.subject.txt`).trim(), values, (s) => s.replace(/[\r\n]+/g, ' '), name),
    text: fill(read(`${name}.txt`), values, (s) => s, name),
    html: layout.replace('<!--body-->', () => fill(read(`${name}.html`), values, escapeHtml, name)),
  };
}
