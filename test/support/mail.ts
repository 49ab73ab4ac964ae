// Reads what actually arrived at the mail catcher (MailDev's REST API).

export interface CaughtMail {
  id: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  to: { address: string; name: string }[];
  date: string;
}

const api = () => process.env.TEST_MAIL_API!;

export async function allMail(): Promise<CaughtMail[]> {
  const res = await fetch(`${api()}/email`);
  if (!res.ok) throw new Error(`mail catcher answered ${res.status}`);
  return (await res.json()) as CaughtMail[];
}

export async function mailTo(address: string): Promise<CaughtMail[]> {
  return (await allMail()).filter((m) => m.to.some((t) => t.address.toLowerCase() === address.toLowerCase()));
}

/** Waits until `address` has received at least `count` emails matching `filter`, and returns them. */
export async function waitForMail(
  address: string,
  opts: { count?: number; filter?: (m: CaughtMail) => boolean; timeoutMs?: number } = {},
): Promise<CaughtMail[]> {
  const { count = 1, filter = () => true, timeoutMs = 30_000 } = opts;
  const deadline = Date.now() + timeoutMs;
  let found: CaughtMail[] = [];
  while (Date.now() < deadline) {
    found = (await mailTo(address)).filter(filter);
    if (found.length >= count) return found;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`expected ${count} email(s) to ${address}, found ${found.length}: ${found.map((m) => m.subject).join(' | ')}`);
}

export const uniqueAddress = (name: string) =>
  `${name}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.com`;
