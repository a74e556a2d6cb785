import type { Server } from 'node:http';
import { LocalRuntimeError } from './errors.ts';

/**
 * Listens on 127.0.0.1 (the local stack is for this machine only) and resolves with the port; a taken port
 * rejects with a PORT_IN_USE message naming the service and the way out, anything else with ENDPOINT_FAILED.
 */
export function listenOnLoopback(server: Server, port: number | undefined, label: string): Promise<number> {
  const host = '127.0.0.1';
  return new Promise<number>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new LocalRuntimeError(
              'PORT_IN_USE',
              `${label} cannot listen on ${host}:${port}: another program is using that port. Stop it, or choose other ports (npm start -- --port-base <n>).`,
              { cause: error },
            )
          : new LocalRuntimeError('ENDPOINT_FAILED', `${label} could not start on ${host}:${port ?? 0}: ${error.message}`, { cause: error }),
      );
    };
    server.once('error', onError);
    server.listen(port ?? 0, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
}
