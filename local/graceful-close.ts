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
      const timer = setTimeout(() => {
        for (const socket of sockets) socket.destroy();
      }, 1000);
      timer.unref();
      // Cleared once closed, or the timer would hold the server (and all it refers to) for the rest of the second.
      server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      server.closeIdleConnections();
    });
    return closing;
  };
}
