import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP gate in front of the real mail catcher. Open, it forwards; held, it accepts connections
 * and keeps them waiting, so a test can catch an email activity in the middle of sending.
 */
export async function startSmtpGate(targetPort: number) {
  let held = false;
  const waiting: net.Socket[] = [];
  const sockets = new Set<net.Socket>();
  const forward = (client: net.Socket) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(upstream);
    client.pipe(upstream).pipe(client);
    const end = () => { client.destroy(); upstream.destroy(); };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  };
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('error', () => client.destroy());
    if (held) waiting.push(client);
    else forward(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    hold() { held = true; },
    /** Connections that arrived while held. */
    waitingCount: () => waiting.filter((s) => !s.destroyed).length,
    release() {
      held = false;
      for (const c of waiting.splice(0)) if (!c.destroyed) forward(c);
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
