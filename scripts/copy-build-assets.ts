import fs from 'node:fs';
import path from 'node:path';

// Step two of `npm run build`, after tsc: copies into dist/ the files the compiled code reads from disk
// next to itself (path.join(__dirname, …)), at the same relative places as in the sources.
//   api/console, api/dashboard   the staff console and the dashboards (api/dashboard.ts)
//   templates/ (all but .ts)     email and page templates with their texts.json (templates/render.ts, pages.ts)
//   prisma/migrations            the SQL the migration runner applies (prisma/migrate.ts)
//   package.json                 its name and version only, which api/openapi.ts reports (require('../package.json'))

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');

export const ASSET_DIRS: { dir: string; skip?: (file: string) => boolean }[] = [
  { dir: 'api/console' },
  { dir: 'api/dashboard' },
  { dir: 'templates', skip: (file) => file.endsWith('.ts') },
  { dir: 'prisma/migrations' },
];

function copyDir(from: string, to: string, skip: (file: string) => boolean = () => false): number {
  let copied = 0;
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dest = path.join(to, entry.name);
    if (entry.isDirectory()) copied += copyDir(src, dest, skip);
    else if (entry.isFile() && !skip(entry.name)) {
      fs.copyFileSync(src, dest);
      copied++;
    }
  }
  return copied;
}

export function copyBuildAssets(): number {
  let copied = 0;
  for (const { dir, skip } of ASSET_DIRS) copied += copyDir(path.join(ROOT, dir), path.join(DIST, dir), skip);
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  fs.writeFileSync(path.join(DIST, 'package.json'), `${JSON.stringify({ name: pkg.name, version: pkg.version, private: true }, null, 2)}\n`);
  return copied + 1;
}

if (require.main === module) {
  if (!fs.existsSync(path.join(DIST, 'api', 'main.js'))) {
    console.error('dist/api/main.js is missing: compile first (npm run build runs tsc -p tsconfig.build.json before this)');
    process.exit(1);
  }
  console.log(`copied ${copyBuildAssets()} asset files into dist/`);
}
