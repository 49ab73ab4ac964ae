import net from 'node:net';
import { PGlite, type Extension } from '@electric-sql/pglite';

// The contrib subpath is in the package's export map, which this tsconfig's module resolution does not read.
const { pg_trgm } = require('@electric-sql/pglite/contrib/pg_trgm') as { pg_trgm: Extension };

// For newcomers without PostgreSQL: PGlite (Postgres compiled to WebAssembly) served over TCP, so the
// service connects to it like to any PostgreSQL. One database, `postgres`.
//
// PGlite is one backend session, which every connection shares. So the session goes to one connection at a
// time, from its first message until the backend reports ReadyForQuery with status idle: a whole extended-
// query exchange (Parse … Sync) or a whole transaction runs undisturbed while the other connections wait.
// (PGLiteSocketServer from @electric-sql/pglite-socket 0.2.17 switches connections between single messages
// outside transactions, so two pooled connections' Parse/Bind/Execute interleave and receive each other's
// results: electric-sql/pglite#1046.) Session-level state (SET, advisory locks) is shared by all connections.

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const SYNC = Uint8Array.from([0x53, 0, 0, 0, 4]);
/** Frontend messages (Sync, Query, FunctionCall, CopyDone, CopyFail) that the backend may answer with ReadyForQuery. */
const MAY_END_EXCHANGE = new Set([0x53, 0x51, 0x46, 0x63, 0x66]);

/** A FIFO lock: resolves with the function that releases it. */
function lock(): () => Promise<() => void> {
  let tail = Promise.resolve();
  return () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    const acquired = tail.then(() => release);
    tail = tail.then(() => held);
    return acquired;
  };
}

/** Whether a response ends with ReadyForQuery reporting an idle session ('Z', length 5, 'I'). */
const endsIdle = (tail: Buffer) =>
  tail.length === 6 && tail[0] === 0x5a && tail.readInt32BE(1) === 5 && tail[5] === 0x49;

export async function startEmbeddedPostgres(dataDir: string, port: number) {
  const db = await PGlite.create(dataDir, { extensions: { pg_trgm } }); // the complaints' text search index needs it
  const session = lock();
  const sockets = new Set<net.Socket>();
  let stopping = false;

  const serve = (socket: net.Socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    let pending = Buffer.alloc(0);
    let started = false; // startup message seen; later messages carry a type byte
    let open = true;
    let release: (() => void) | undefined; // set while this connection holds the session
    let work = Promise.resolve(); // this connection's messages, in order
    const then = (step: () => Promise<void>) => {
      work = work.then(step).catch((err) => {
        console.error(`embedded PostgreSQL: ${err instanceof Error ? err.message : err}; closing the connection`);
        socket.destroy();
      });
    };

    const execute = async (message: Uint8Array, mayEnd: boolean) => {
      if (!open || stopping) return;
      release ??= await session();
      if (!open || stopping) return; // the clean-up step releases the session
      let tail = Buffer.alloc(0);
      await db.runExclusive(() => db.execProtocolRawStream(message, {
        onRawData: (data) => {
          const copy = Buffer.from(data); // `data` is a view of PGlite's memory
          if (socket.writable) socket.write(copy);
          tail = Buffer.concat([tail, copy]).subarray(-6);
        },
      }));
      if (mayEnd && endsIdle(tail)) { release(); release = undefined; }
    };

    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const header = started ? 5 : 4;
        if (pending.length < header) return;
        const size = (started ? 1 : 0) + pending.readInt32BE(started ? 1 : 0);
        if (size < header) { socket.destroy(); return; } // not the PostgreSQL protocol
        if (pending.length < size) return;
        const message = pending.subarray(0, size);
        pending = pending.subarray(size);
        if (!started) {
          const code = message.length >= 8 ? message.readInt32BE(4) : 0;
          if (code === SSL_REQUEST || code === GSSENC_REQUEST) { socket.write('N'); continue; }
          if (code === CANCEL_REQUEST) { socket.destroy(); return; } // not supported
          started = true;
          then(() => execute(message, true));
        } else if (message[0] === 0x58) { // Terminate
          socket.end();
          return;
        } else {
          then(() => execute(message, MAY_END_EXCHANGE.has(message[0])));
        }
      }
    });
    socket.on('error', () => socket.destroy()); // 'close' follows
    socket.on('close', () => {
      open = false;
      sockets.delete(socket);
      // A connection that goes away mid-exchange or mid-transaction leaves the session as it found it.
      then(async () => {
        if (!release) return;
        try {
          if (!stopping) {
            await db.runExclusive(() => db.execProtocolRaw(SYNC));
            if (db.isInTransaction()) await db.exec('ROLLBACK');
          }
        } finally {
          release();
          release = undefined;
        }
      });
    });
  };

  const server = net.createServer(serve);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => { server.off('error', reject); resolve(); });
    });
  } catch (err) {
    await db.close();
    throw err;
  }

  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      stopping = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      (await session())(); // no connection is using PGlite any more
      await db.close();
    },
  };
}
