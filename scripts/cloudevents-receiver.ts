import http from 'node:http';
import { HTTP, type CloudEvent } from 'cloudevents';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  headers: http.IncomingHttpHeaders;
  body: string;
  event?: CloudEvent<unknown>;
  parseError?: string;
  /** Date.now() when the whole request had arrived. */
  receivedAt: number;
  /** Date.now() when the answer was sent. */
  answeredAt?: number;
}

export interface CloudEventsReceiverOptions {
  /** 0 (the default) means any free port. */
  port?: number;
  /** Called for every request, parsed or not. */
  onRequest?: (request: ReceivedRequest) => void;
  /** Handlers for other paths (e.g. `/write`); every other request is read as a CloudEvent. */
  routes?: Record<string, http.RequestListener>;
  /** Keep every request in `received` (tests); off for a long-running demo. */
  keepReceived?: boolean;
  /** Answer each request this long after it arrived (a slow sink); 0 (the default) answers at once. */
  answerDelayMs?: number;
}

export const EVENTS_PATH = '/events';

/** A loopback HTTP server that parses every POST with the cloudevents SDK, as a CloudEvents sink would. */
export class CloudEventsReceiver {
  readonly received: ReceivedRequest[] = [];
  private readonly server: http.Server;

  constructor(private readonly options: CloudEventsReceiverOptions = {}) {
    this.server = http.createServer((req, res) => {
      const route = options.routes?.[new URL(req.url ?? '/', 'http://127.0.0.1').pathname];
      if (route) route(req, res);
      else this.receive(req, res);
    });
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Listens on 127.0.0.1 and returns the URL to POST CloudEvents to. */
  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return `http://127.0.0.1:${this.port}${EVENTS_PATH}`;
  }

  async stop(): Promise<void> {
    if (!this.server.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private receive(req: http.IncomingMessage, res: http.ServerResponse): void {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const entry: ReceivedRequest = { headers: req.headers, body, receivedAt: Date.now() };
      try {
        const parsed = HTTP.toEvent({ headers: req.headers as Record<string, string>, body });
        entry.event = (Array.isArray(parsed) ? parsed[0] : parsed) as CloudEvent<unknown>;
      } catch (error) {
        entry.parseError = (error as Error).message;
      }
      if (this.options.keepReceived ?? true) this.received.push(entry);
      this.options.onRequest?.(entry);
      const answer = (): void => {
        entry.answeredAt = Date.now();
        res.writeHead(entry.parseError ? 400 : 202).end();
      };
      if (this.options.answerDelayMs) setTimeout(answer, this.options.answerDelayMs);
      else answer();
    });
  }
}
