import { startEmbeddedPostgres } from '../../scripts/embedded-postgres';

// Runs startEmbeddedPostgres in a Node process of its own, as the run command hosts it. (Jest's module
// sandbox cannot run PGlite, which loads its parts with dynamic import().) Prints `ready <url>` once it
// accepts connections; on SIGTERM stops it and prints `stopped`, and the process must then end by itself.

async function main() {
  const dataDir = process.env.EMBEDDED_PG_DATA_DIR;
  const port = Number(process.env.EMBEDDED_PG_PORT);
  if (!dataDir || !port) throw new Error('set EMBEDDED_PG_DATA_DIR and EMBEDDED_PG_PORT');
  const pg = await startEmbeddedPostgres(dataDir, port);
  process.once('SIGTERM', () => {
    pg.stop().then(
      () => console.log('stopped'),
      (err) => { console.error(`stop failed: ${err instanceof Error ? err.message : err}`); process.exitCode = 1; },
    );
  });
  console.log(`ready ${pg.url}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
