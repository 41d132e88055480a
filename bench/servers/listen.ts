// Shared by the bench's child servers: listen on a free loopback port and tell the parent which.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';

export interface ReadyMessage {
  port: number;
}

export async function listenForParent(app: FastifyInstance): Promise<void> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  if (!process.send) throw new Error('start this server from bench/run.ts (it needs an IPC channel)');
  process.send({ port } satisfies ReadyMessage);
  // The parent is gone (finished, or killed without cleaning up): do not linger as an orphan.
  process.on('disconnect', () => {
    void app.close().finally(() => process.exit(0));
  });
}
