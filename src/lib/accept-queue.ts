import { readFileSync } from 'node:fs';

/**
 * Connections the kernel has established on a listening TCP port that the process has not accepted
 * yet (its accept queue: `rx_queue` of the LISTEN rows of /proc/net/tcp and tcp6). Undefined where
 * that is not known (not Linux). Node has no API for it, and under load it accepts them late.
 */
export function acceptQueue(port: number): number | undefined {
  let queued: number | undefined;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let table: string;
    try {
      table = readFileSync(file, 'latin1');
    } catch {
      continue;
    }
    for (const line of table.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue …; addresses and numbers in hex.
      const [, local, , state, queues] = line.trim().split(/\s+/);
      if (state !== '0A' || !local || !queues) continue; // 0A: LISTEN
      if (Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16) !== port) continue;
      queued = (queued ?? 0) + Number.parseInt(queues.slice(queues.indexOf(':') + 1), 16);
    }
  }
  return queued;
}
