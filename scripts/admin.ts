import { parseArgs } from 'node:util';
import { config } from '../lib/config';
import { createDb } from '../lib/db';
import { knownDepartment } from '../api/directory';
import { migrate } from '../prisma/migrate';
import { issueToken } from '../lib/tokens';
import { sendPasswordLink, setPassword } from '../api/sessions';
import { ROLES } from '../workflows/messages';

// The staff command line: the first admin, more staff, and API tokens (shown once, stored as a hash).
//   npm run admin -- create-admin --name "Ada Admin" --email ada@example.com
//   npm run admin -- add-staff --name "Sam" --email sam@example.com --role supervisor --department customer_service
//   npm run admin -- issue-token --email sam@example.com [--label laptop] [--days 90]
//   npm run admin -- list-tokens [--email sam@example.com]
//   npm run admin -- revoke-token --id 3
//   echo 'a long passphrase' | npm run admin -- set-password --email sam@example.com
//   npm run admin -- send-password-link --email sam@example.com

const USAGE = `usage: npm run admin -- <command> [options]
  create-admin --name NAME --email EMAIL          create an admin (or reuse the account) and print a token
  add-staff --name NAME --email EMAIL --role ROLE [--department CODE]
  issue-token --email EMAIL [--label LABEL] [--days N]
  list-tokens [--email EMAIL]
  revoke-token --id ID
  set-password --email EMAIL                      the console password, read from standard input (one line)
  send-password-link --email EMAIL                email a one-time link to set it (valid 24 h)
roles: ${ROLES.join(', ')}`;

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const { values: o } = parseArgs({
    args: rest,
    options: {
      name: { type: 'string' }, email: { type: 'string' }, role: { type: 'string' }, department: { type: 'string' },
      label: { type: 'string' }, days: { type: 'string' }, id: { type: 'string' },
    },
  });
  const need = (key: keyof typeof o) => {
    const v = o[key];
    if (!v) throw new Error(`${command} needs --${key}\n\n${USAGE}`);
    return v;
  };
  await migrate(config().DATABASE_URL); // the tool may be the first thing run against a new database
  const db = createDb(undefined, 1);
  try {
    switch (command) {
      case 'create-admin':
      case 'add-staff': {
        const role = command === 'create-admin' ? 'admin' : need('role');
        if (!(ROLES as readonly string[]).includes(role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
        await knownDepartment(db, o.department, '--department');
        const staff = await db.staff.upsert({
          where: { email: need('email') },
          update: { active: true },
          create: { name: need('name'), email: need('email'), role, department: o.department ?? null },
        });
        console.log(`staff #${staff.id} ${staff.name} <${staff.email}>, ${staff.role}${staff.department ? `, ${staff.department}` : ''}`);
        if (command === 'create-admin') await printToken(db, staff.id, o.label ?? 'cli');
        break;
      }
      case 'issue-token': {
        const staff = await db.staff.findUnique({ where: { email: need('email') } });
        if (!staff || !staff.active) throw new Error(`no active staff member with email ${o.email}`);
        const days = o.days === undefined ? undefined : Number(o.days);
        if (days !== undefined && !(Number.isInteger(days) && days > 0)) throw new Error('--days must be a positive whole number (leave it out for a token that does not expire)');
        await printToken(db, staff.id, o.label ?? 'cli', days);
        break;
      }
      case 'list-tokens': {
        const tokens = await db.apiToken.findMany({
          where: o.email ? { staff: { email: o.email } } : {}, include: { staff: true }, orderBy: { id: 'asc' },
        });
        for (const t of tokens) {
          const state = t.revokedAt ? 'revoked' : t.expiresAt && t.expiresAt < new Date() ? 'expired' : 'active';
          console.log(`#${t.id}  cmp_${t.prefix}_…  ${t.staff.email}  ${t.name}  ${state}  last used ${t.lastUsedAt?.toISOString() ?? 'never'}`);
        }
        break;
      }
      case 'revoke-token': {
        const id = Number(need('id'));
        const found = Number.isInteger(id) && id > 0 && id <= 2_147_483_647 ? await db.apiToken.findUnique({ where: { id } }) : null;
        if (!found) throw new Error(`no token with id ${o.id} (see list-tokens)`);
        const t = await db.apiToken.update({ where: { id }, data: { revokedAt: found.revokedAt ?? new Date() } });
        console.log(`token #${t.id} (cmp_${t.prefix}_…) revoked`);
        break;
      }
      case 'set-password': {
        const staff = await activeByEmail(db, need('email'));
        const password = (await readStdin()).replace(/\r?\n$/, '');
        if (!password) throw new Error('set-password reads the password from standard input: echo \'…\' | npm run admin -- set-password --email …');
        await setPassword(db, staff.id, staff.email, password);
        console.log(`password set for staff #${staff.id} ${staff.email}; their other sessions have ended`);
        break;
      }
      case 'send-password-link': {
        const staff = await activeByEmail(db, need('email'));
        const sent = await sendPasswordLink(db, staff, 'An administrator');
        console.log(`link emailed to ${sent.sentTo} (${sent.delivery}); it works once, until ${sent.expiresAt.toISOString()}`);
        break;
      }
      default:
        throw new Error(USAGE);
    }
  } finally {
    await db.$disconnect();
  }
}

async function activeByEmail(db: ReturnType<typeof createDb>, email: string) {
  const staff = await db.staff.findUnique({ where: { email } });
  if (!staff || !staff.active) throw new Error(`no active staff member with email ${email}`);
  return staff;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) console.error('password (then Enter, Ctrl-D):');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split('\n')[0];
}

async function printToken(db: ReturnType<typeof createDb>, staffId: number, label: string, days?: number) {
  const { id, token } = await issueToken(db, staffId, label, days);
  console.log(`token #${id} (keep it; it is not shown again):\n${token}`);
}

main().then(() => process.exit(0), (err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
