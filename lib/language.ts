import { detectAll } from 'tinyld';

// The language a customer is written to in: the one given at registration, or else the one the
// complaint's description is written in (tinyld, a small n-gram detector), or English when the text is
// too short or the detector unsure. Staff can correct it (PATCH /complaints/:id).

/** Languages the customer's emails and pages are written in (templates/<lang>/, templates/pages/<lang>/). */
export const CUSTOMER_LANGUAGES = ['en', 'it', 'pt', 'tl', 'zh'] as const;
/** How each is named to the customer, in itself. */
export const LANGUAGE_NAMES: Record<(typeof CUSTOMER_LANGUAGES)[number], string> = {
  en: 'English', it: 'Italiano', pt: 'Português', tl: 'Tagalog', zh: '中文（简体）',
};

const MIN_WORDS = 4;
const MIN_HAN = 6;
const MIN_ACCURACY = 0.5;

export interface Detected { language: string; detected: boolean }

/** The description's language, or English (`detected: false`) when it is too short or the detector unsure. */
export function detectLanguage(text: string): Detected {
  const clean = text.replace(/https?:\/\/\S+|\S+@\S+|[\d\p{P}\p{S}]+/gu, ' ').trim();
  const han = (clean.match(/\p{Script=Han}/gu) ?? []).length;
  const words = clean.split(/\s+/).filter((w) => /\p{L}{2,}/u.test(w)).length;
  if (han < MIN_HAN && words < MIN_WORDS) return { language: 'en', detected: false };
  const [best] = detectAll(clean);
  if (!best || best.accuracy < MIN_ACCURACY || !/^[a-z]{2}$/.test(best.lang)) return { language: 'en', detected: false };
  return { language: best.lang, detected: true };
}
