import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Tracks a server's connections and returns an idempotent close: idle connections end at once, in-flight
 * requests get a second to finish before their sockets are cut, so a restart never hangs on a keep-alive.
 */
export function gracefulClose(server: Server): () => Promise<void> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        for (const socket of sockets) socket.destroy();
      }, 1000);
      timer.unref();
    });
    return closing;
  };
}
