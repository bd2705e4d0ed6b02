/**
 * A loopback HTTP proxy that sits between the node (its config `endpoint`) and DynamoDB Local and
 * spoils a share of the requests: HTTP 500s, throttling errors shaped like DynamoDB's, latency
 * spikes, and connections dropped before or after the request reached DynamoDB Local. Decisions
 * come from a seeded PRNG, so a run's fault sequence is reproducible (which request meets which
 * fault still depends on timing). Everything it holds is bounded and released by `stop()`.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { seededRandom } from './seeded-random';

export type FaultKind =
  /** HTTP 500 InternalServerError, DynamoDB Local never sees the request. */
  | 'server-error'
  /** HTTP 400 LimitExceededException, as DynamoDB (Streams) throttles. */
  | 'throttle'
  /** The request waits `latencyMs` before it is forwarded. */
  | 'latency'
  /** The client's connection is destroyed before the request is forwarded. */
  | 'drop-request'
  /** The request is served by DynamoDB Local, then the connection is destroyed halfway through the response. */
  | 'drop-response';

export const FAULT_KINDS: readonly FaultKind[] = ['server-error', 'throttle', 'latency', 'drop-request', 'drop-response'];

export type FaultRates = Partial<Record<FaultKind, number>>;

export interface FaultProxyOptions {
  /** DynamoDB Local's URL. */
  readonly target: string;
  readonly seed: number;
  /** Probability of each fault per request; the rest is forwarded untouched. */
  readonly rates: FaultRates;
  readonly latencyMs?: number;
}

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';
const MAX_BODY_BYTES = 1024 * 1024;
const ERROR_NAMESPACE = 'com.amazonaws.dynamodb.v20120810';

/** The body DynamoDB sends with an error: `{"__type": "<namespace>#<name>", "message": …}`. */
export function dynamoDbErrorBody(name: string, message: string): string {
  return JSON.stringify({ __type: `${ERROR_NAMESPACE}#${name}`, message });
}

export class FaultProxy {
  /** Injected faults, by operation (`GetRecords`, …) and kind. */
  readonly injected = new Map<string, Record<FaultKind, number>>();
  requests = 0;
  /** Client connections accepted so far. */
  connectionsOpened = 0;
  /** Requests received, by operation (from the X-Amz-Target header), faulted or not. */
  private readonly received = new Map<string, number>();
  private readonly random: () => number;
  private readonly forced: FaultKind[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  private readonly target: URL;
  private readonly server: http.Server;
  private stopped = false;

  constructor(private readonly options: FaultProxyOptions) {
    const total = FAULT_KINDS.reduce((sum, kind) => sum + (options.rates[kind] ?? 0), 0);
    if (total > 1) throw new Error(`fault rates add up to ${total} > 1`);
    this.random = seededRandom(options.seed);
    this.target = new URL(options.target);
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.connectionsOpened += 1;
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const socket of this.sockets) socket.destroy();
    this.agent.destroy();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next `times` requests meet `kind`, whatever the dice say. */
  force(kind: FaultKind, times = 1): void {
    for (let i = 0; i < times; i += 1) this.forced.push(kind);
  }

  /** How many faults of `kind` were injected (into `operation`, or into any). */
  count(kind: FaultKind, operation?: string): number {
    if (operation) return this.injected.get(operation)?.[kind] ?? 0;
    let sum = 0;
    for (const counts of this.injected.values()) sum += counts[kind];
    return sum;
  }

  /** Requests received so far, by operation (`GetRecords`, `DescribeStream`, …). */
  receivedByOperation(): Record<string, number> {
    return Object.fromEntries(this.received);
  }

  /** e.g. `GetRecords: server-error 12, throttle 5, …` */
  describe(): string {
    return [...this.injected.entries()]
      .map(([operation, counts]) => `${operation}: ${FAULT_KINDS.map((kind) => `${kind} ${counts[kind]}`).join(', ')}`)
      .join('; ');
  }

  private decide(): FaultKind | undefined {
    const forced = this.forced.shift();
    if (forced) return forced;
    let roll = this.random();
    for (const kind of FAULT_KINDS) {
      roll -= this.options.rates[kind] ?? 0;
      if (roll < 0) return kind;
    }
    return undefined;
  }

  private note(operation: string, kind: FaultKind): void {
    let counts = this.injected.get(operation);
    if (!counts) {
      counts = { 'server-error': 0, throttle: 0, latency: 0, 'drop-request': 0, 'drop-response': 0 };
      this.injected.set(operation, counts);
    }
    counts[kind] += 1;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.requests += 1;
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.slice(target.lastIndexOf('.') + 1) || 'unknown';
    this.received.set(operation, (this.received.get(operation) ?? 0) + 1);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413).end();
        req.socket.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (this.stopped || size > MAX_BODY_BYTES) return;
      const body = Buffer.concat(chunks);
      const fault = this.decide();
      if (fault) this.note(operation, fault);
      switch (fault) {
        case 'server-error':
          return this.answerError(res, 500, 'InternalServerError', 'Internal server error (injected)');
        case 'throttle':
          return this.answerError(res, 400, 'LimitExceededException', 'Rate exceeded');
        case 'drop-request':
          req.socket.destroy();
          return;
        case 'latency': {
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            this.forward(req, res, body, false);
          }, this.options.latencyMs ?? 2_000);
          this.timers.add(timer);
          return;
        }
        default:
          this.forward(req, res, body, fault === 'drop-response');
      }
    });
  }

  private answerError(res: http.ServerResponse, status: number, name: string, message: string): void {
    const body = dynamoDbErrorBody(name, message);
    res.writeHead(status, { 'content-type': JSON_CONTENT_TYPE, 'content-length': Buffer.byteLength(body), 'x-amzn-requestid': 'fault-proxy' });
    res.end(body);
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, dropHalfway: boolean): void {
    if (this.stopped || req.socket.destroyed) return;
    const upstream = http.request(
      {
        protocol: this.target.protocol,
        hostname: this.target.hostname,
        port: this.target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, 'content-length': String(body.length) },
        agent: this.agent,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          if (req.socket.destroyed) return;
          const answer = Buffer.concat(chunks);
          const headers = { ...response.headers, 'content-length': String(answer.length) };
          delete headers['transfer-encoding'];
          res.writeHead(response.statusCode ?? 502, headers);
          if (dropHalfway) {
            // The request was served; the answer never arrives whole.
            res.write(answer.subarray(0, Math.floor(answer.length / 2)));
            setImmediate(() => req.socket.destroy());
            return;
          }
          res.end(answer);
        });
        response.on('error', () => req.socket.destroy());
      },
    );
    upstream.on('error', () => req.socket.destroy());
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    upstream.end(body);
  }
}
