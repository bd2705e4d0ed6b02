// Talks to a spawned Node-RED the way the editor does: its admin HTTP API and its /comms websocket.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

/** The npm name of this package, as Node-RED lists it (module of its node sets, examples, icons). */
export const MODULE: string = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string }).name;

/** Where the package lands in a user directory made by `userDirWithPackage()`. */
export function installedPackageDir(userDir: string): string {
  return path.join(userDir, 'node_modules', ...MODULE.split('/'));
}

export interface AdminRequest {
  method?: string;
  token?: string;
  accept?: string;
  language?: string;
  /** Sent as JSON. */
  json?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** One admin API call; never throws on an HTTP error status. */
export function admin(baseUrl: string, urlPath: string, request: AdminRequest = {}): Promise<Response> {
  const headers: Record<string, string> = { ...request.headers };
  if (request.token) headers.Authorization = `Bearer ${request.token}`;
  if (request.accept) headers.Accept = request.accept;
  if (request.language) headers['Accept-Language'] = request.language;
  if (request.json !== undefined) headers['Content-Type'] = 'application/json';
  return fetch(`${baseUrl}${urlPath}`, {
    method: request.method ?? (request.json === undefined ? 'GET' : 'POST'),
    headers,
    body: request.json === undefined ? undefined : JSON.stringify(request.json),
    signal: AbortSignal.timeout(request.timeoutMs ?? 30_000),
  });
}

export async function adminJson<T>(baseUrl: string, urlPath: string, request: AdminRequest = {}): Promise<T> {
  const response = await admin(baseUrl, urlPath, { accept: 'application/json', ...request });
  const text = await response.text();
  if (!response.ok) throw new Error(`${request.method ?? 'GET'} ${urlPath} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

/**
 * Logs in as the editor does (`POST /auth/token`, client `node-red-admin`) and returns the access token.
 * Node-RED grants only a scope within the user's permissions: a read-only user must ask for `read`.
 */
export async function login(baseUrl: string, username: string, password: string, scope = '*'): Promise<string> {
  const response = await admin(baseUrl, '/auth/token', {
    json: { client_id: 'node-red-admin', grant_type: 'password', scope, username, password },
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`login as ${username} failed with ${response.status}: ${text}`);
  return (JSON.parse(text) as { access_token: string }).access_token;
}

export interface NodeSetInfo {
  id: string;
  name: string;
  types: string[];
  enabled: boolean;
  loaded?: boolean;
  module: string;
  version?: string;
  err?: string;
}

export function nodeSets(baseUrl: string, token?: string): Promise<NodeSetInfo[]> {
  return adminJson<NodeSetInfo[]>(baseUrl, '/nodes', { token });
}

export type FlowNode = Record<string, unknown> & { id: string; type: string };

/** A full deploy, as the editor's Deploy button does. */
export async function deployFlows(baseUrl: string, flows: FlowNode[], token?: string): Promise<void> {
  const response = await admin(baseUrl, '/flows', { json: flows, token, headers: { 'Node-RED-Deployment-Type': 'full' } });
  if (!response.ok) throw new Error(`POST /flows answered ${response.status}: ${await response.text()}`);
}

/** Polls an async check until it returns a truthy value or the time runs out. */
export async function waitUntil<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  what: string | (() => string),
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Log lines of a Node-RED process that report a problem: warnings, errors, missing node types. */
export function problemLines(log: string): string[] {
  return log.split('\n').filter((line) => /\[(warn|error)\]|missing types|unknown type/i.test(line));
}

interface WebSocketLike {
  on(event: 'open' | 'close', listener: () => void): void;
  on(event: 'message', listener: (data: Buffer | string) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  send(data: string): void;
  close(): void;
}
type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface CommsMessage {
  topic: string;
  data: Record<string, unknown>;
}

/**
 * The editor's websocket (`/comms`): node status (`status/<node id>`) and debug sidebar (`debug`) messages.
 * Uses the `ws` package Node-RED's editor API depends on (Node 20 has no WebSocket client of its own).
 */
export class CommsClient {
  readonly messages: CommsMessage[] = [];
  private constructor(private readonly socket: WebSocketLike) {}

  static async connect(baseUrl: string, topics: string[] = ['status/#', 'debug'], token?: string): Promise<CommsClient> {
    const editorApi = createRequire(require.resolve('@node-red/editor-api/package.json'));
    const WebSocket = editorApi('ws') as WebSocketConstructor;
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/comms`);
    const client = new CommsClient(socket);
    socket.on('message', (data) => {
      const parsed = JSON.parse(data.toString()) as CommsMessage | CommsMessage[];
      for (const message of Array.isArray(parsed) ? parsed : [parsed]) if (message.topic) client.messages.push(message);
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the /comms websocket did not open within 10 s')), 10_000);
      socket.on('open', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    if (token) socket.send(JSON.stringify({ auth: token }));
    for (const topic of topics) socket.send(JSON.stringify({ subscribe: topic }));
    return client;
  }

  /** The newest status a node reported, if any. */
  status(nodeId: string): { fill?: string; shape?: string; text?: string } | undefined {
    const topic = `status/${nodeId}`;
    for (let i = this.messages.length - 1; i >= 0; i -= 1) if (this.messages[i].topic === topic) return this.messages[i].data;
    return undefined;
  }

  /** Debug sidebar messages sent by one debug node. */
  debugFrom(nodeId: string): Array<{ msg: string; format?: string; name?: string }> {
    return this.messages
      .filter((m) => m.topic === 'debug' && m.data.id === nodeId)
      .map((m) => m.data as { msg: string; format?: string; name?: string });
  }

  close(): void {
    this.socket.close();
  }
}
