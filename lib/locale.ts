import { config } from './config';

// Dates and amounts as a customer reads them: in the locale of their language (the `locale` of
// templates/<lang>/texts.json) and in the complaint's time zone.

const LOCALES: Record<string, string> = { en: 'en-GB', it: 'it-IT', pt: 'pt-BR', tl: 'fil-PH', zh: 'zh-CN' };
export const localeOf = (language: string | null | undefined) => LOCALES[(language ?? 'en').split('-')[0].toLowerCase()] ?? 'en-GB';

/** "2 December 2026" / "2 dicembre 2026" / "2026年12月2日", in the time zone given. */
export function formatDate(at: Date, language: string | null | undefined, timeZone: string): string {
  return new Intl.DateTimeFormat(localeOf(language), { dateStyle: 'long', timeZone: safeZone(timeZone) }).format(at);
}

/** A date with the time of day, for messages: "2 December 2026, 14:05". */
export function formatDateTime(at: Date, language: string | null | undefined, timeZone: string): string {
  return new Intl.DateTimeFormat(localeOf(language), { dateStyle: 'long', timeStyle: 'short', timeZone: safeZone(timeZone) }).format(at);
}

/** An amount in the service's currency (CURRENCY): "€49.99" / "49,99 €" / "R$ 49,99". */
export function formatAmount(amount: number, language: string | null | undefined): string {
  return new Intl.NumberFormat(localeOf(language), { style: 'currency', currency: config().CURRENCY }).format(amount);
}

/** Whether the runtime knows an IANA time zone name. */
export function knownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
const safeZone = (zone: string) => (knownTimeZone(zone) ? zone : 'UTC');
