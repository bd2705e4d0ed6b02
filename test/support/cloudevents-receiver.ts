import http from 'node:http';
import { HTTP, type CloudEvent } from 'cloudevents';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  headers: http.IncomingHttpHeaders;
  body: string;
  event?: CloudEvent<unknown>;
  parseError?: string;
}

/** A loopback HTTP server that parses every POST with the cloudevents SDK, as a CloudEvents sink would. */
export class CloudEventsReceiver {
  readonly received: ReceivedRequest[] = [];
  private readonly server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const entry: ReceivedRequest = { headers: req.headers, body };
      try {
        const parsed = HTTP.toEvent({ headers: req.headers as Record<string, string>, body });
        entry.event = (Array.isArray(parsed) ? parsed[0] : parsed) as CloudEvent<unknown>;
      } catch (error) {
        entry.parseError = (error as Error).message;
      }
      this.received.push(entry);
      res.writeHead(entry.parseError ? 400 : 202).end();
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/events`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
