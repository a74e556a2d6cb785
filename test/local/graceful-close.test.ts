import { once } from 'node:events';
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { gracefulClose } from '../../local/graceful-close.ts';
import { isCollected } from '../support/garbage.ts';

describe('gracefulClose', () => {
  it('closes a server with an idle keep-alive connection at once, and lets go of it once closed rather than a second later', async () => {
    const closed = await (async () => {
      const server = createServer((_, response) => response.end('ok'));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const close = gracefulClose(server);
      const { port } = server.address() as { port: number };
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok');
      const started = Date.now();
      await close();
      expect(Date.now() - started).toBeLessThan(500);
      return new WeakRef(server);
    })();
    // Closed handles are released over the next few turns of the event loop; the cut-off timer would last 1 s.
    expect(await isCollected(closed, 50)).toBe(true);
  });
});
