import { emailLanguage, renderEmail } from '../templates/render';

// The regulators' letters (lib/regulatory-profiles.ts names them as letterKind) in every language a
// customer can have. Rendered from the files alone: no services. The values are exactly the ones each
// letter may use, so a template asking for any other placeholder makes renderEmail throw.

const FOS = { ombudsmanName: 'Financial Ombudsman Service', ombudsmanUrl: 'https://www.financial-ombudsman.org.uk' };
const AFCA = { ombudsmanName: 'Australian Financial Complaints Authority (AFCA)', ombudsmanUrl: 'https://www.afca.org.au' };

const common = {
  customerName: 'Ada <Lovelace> & "Co"',
  reference: 'CMP-2026-000123',
  product: 'Current account',
  statusLink: 'https://complaints.example/status/abc123?t=1&u=2',
  receivedOn: '2 March 2026',
};

type LetterValues = { ombudsmanName: string; ombudsmanUrl: string } & Record<string, string>;
const LETTERS: Record<string, LetterValues> = {
  fca_eight_week: { ...FOS, dueOn: '27 April 2026' },
  fca_summary_resolution: { ...FOS, actions: 'We refunded the fee and corrected your statement.' },
  psd_holding_reply: { ...FOS, reason: 'We are waiting for information from the receiving bank.', finalResponseBy: '20 April 2026' },
  asic_idr_delay: { ...AFCA, reason: 'We are waiting for records from a third party.' },
};
const LANGUAGES = ['en', 'it', 'pt', 'tl', 'zh'];

const cases = Object.keys(LETTERS).flatMap((name) => LANGUAGES.map((lang) => [name, lang] as const));

describe.each(cases)('%s in %s', (name, lang) => {
  const values = { ...common, ...LETTERS[name] };
  const email = renderEmail(name, values, lang);

  test('is written in that language', () => {
    expect(emailLanguage(name, lang)).toBe(lang);
  });

  test('subject, text and HTML are filled in, with the reference and the ombudsman', () => {
    for (const part of [email.subject, email.text, email.html]) {
      expect(part.trim()).not.toBe('');
      expect(part).not.toContain('{{');
      expect(part).not.toContain('}}');
      expect(part).not.toContain('undefined');
    }
    expect(email.subject).toContain(values.reference);
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.text).toContain(values.reference);
    expect(email.text).toContain(values.ombudsmanUrl);
    expect(email.text).toContain(values.ombudsmanName);
    expect(email.text).toContain(values.statusLink);
    expect(email.html).toContain(values.reference);
    expect(email.html).toContain(`href="${values.ombudsmanUrl}"`);
  });

  test('values are escaped in the HTML part and taken as they are in the text', () => {
    expect(email.text).toContain(values.customerName);
    expect(email.html).toContain('Ada &lt;Lovelace&gt; &amp; &quot;Co&quot;');
    expect(email.html).not.toContain('<Lovelace>');
    expect(email.html).toContain('https://complaints.example/status/abc123?t=1&amp;u=2');
  });

  test('the letter\'s own values are in it', () => {
    for (const key of ['dueOn', 'actions', 'reason', 'finalResponseBy'] as const) {
      const value = LETTERS[name][key];
      if (value) expect(email.text).toContain(value);
    }
    if (name === 'asic_idr_delay') {
      for (const part of [email.text, email.html]) {
        expect(part).toContain('1800 931 678');
        expect(part).toContain('info@afca.org.au');
      }
    }
  });

  if (lang !== 'en') {
    test('is not the English letter', () => {
      const english = renderEmail(name, values, 'en');
      expect(email.subject).not.toBe(english.subject);
      expect(email.text).not.toBe(english.text);
      expect(email.html).not.toBe(english.html);
      expect(email.html).toContain(`<html lang="${lang === 'pt' ? 'pt-BR' : lang === 'zh' ? 'zh-CN' : lang}">`);
    });
  }
});

test('a summary resolution with no actions written still reads as a letter', () => {
  for (const lang of LANGUAGES) {
    const email = renderEmail('fca_summary_resolution', { ...common, ...LETTERS.fca_summary_resolution, actions: '' }, lang);
    expect(email.text).not.toContain('{{');
    expect(email.text).not.toMatch(/\n{5,}/); // at most one extra blank line where the actions would be
    expect(email.text).toContain(FOS.ombudsmanUrl);
  }
});
