import net, { type AddressInfo } from 'node:net';
import type { PortChoice } from './args';

export class PortUnavailableError extends Error {}

/**
 * Checks that every chosen port is free on 127.0.0.1 and turns 0 into a free port.
 * All of them are held until the last is chosen, so no port is picked twice.
 */
export async function claimPorts(choices: readonly PortChoice[]): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (const choice of choices) servers.push(await listen(choice));
    return servers.map((server) => (server.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}

function listen(choice: PortChoice): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? 'is in use' : error.code === 'EACCES' ? 'needs privileges' : `is unavailable (${error.code})`;
      reject(new PortUnavailableError(`port ${choice.port} ${reason}; pass ${choice.flag} <n>`));
    });
    server.listen({ port: choice.port, host: '127.0.0.1', exclusive: true }, () => resolve(server));
  });
}
