import helper from 'node-red-node-test-helper';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS, localClient, sharedDynamoDbLocal } from './dynamodb';
import { configNode, sourceNode, type FlowNode } from './flow-nodes';

export type { FlowNode };

helper.init(require.resolve('node-red'));

const dist = path.resolve(__dirname, '..', '..', 'dist');
/* eslint-disable @typescript-eslint/no-require-imports */
export const configNodeModule = require(path.join(dist, 'dynamodb-stream-config.js'));
export const sourceNodeModule = require(path.join(dist, 'dynamodb-stream-source.js'));
export const ourNodes = [configNodeModule, sourceNodeModule];

/** Fast timings so tests need not wait for production intervals. */
export const FAST_TIMING = {
  discoveryIntervalMs: 500,
  waitForStreamIntervalMs: 300,
  missingRecheckIntervalMs: 500,
  idlePollFirstMs: 20,
  idlePollMaxMs: 100,
  retryBaseMs: 50,
  retryMaxMs: 300,
  fatalRetryMaxMs: 500,
  checkpointFlushIntervalMs: 50,
  redeliveryBaseMs: 20,
  redeliveryMaxMs: 100,
};

export interface FlowOptions {
  arn: string;
  endpoint: string;
  region?: string;
  source?: Record<string, unknown>;
  config?: Record<string, unknown>;
}


/** config node `c1`, source node `s1` wired to helper node `h1`. */
export function sourceFlow(options: FlowOptions): FlowNode[] {
  return [
    { id: 'f1', type: 'tab', label: 'test' },
    configNode('c1', options.arn, options.endpoint, { region: options.region ?? '', ...options.config }),
    sourceNode('s1', 'f1', 'c1', ['h1'], options.source),
    { id: 'h1', z: 'f1', type: 'helper' },
  ];
}

export const sourceCredentials = { c1: { ...LOCAL_CREDENTIALS } };

export { helper };

export interface NodeTestContext {
  endpoint: string;
  client: DynamoDBClient;
}

/**
 * Mocha hooks for a suite of node tests: DynamoDB Local, the test helper's server with
 * fast timings, a DynamoDB client for writing, and a flow unloaded after each test.
 */
export function useNodeRedWithDynamoDbLocal(): NodeTestContext {
  const context = {} as NodeTestContext;
  before(async function () {
    context.endpoint = (await sharedDynamoDbLocal()).endpoint;
    context.client = localClient(context.endpoint);
    helper.settings({ dynamodbStreams: FAST_TIMING } as Record<string, unknown>);
    await new Promise<void>((resolve) => helper.startServer(() => resolve()));
  });
  after(async function () {
    context.client.destroy();
    helper.settings({});
    await new Promise<void>((resolve) => helper.stopServer(() => resolve()));
  });
  afterEach(async function () {
    await helper.unload();
  });
  return context;
}

interface ContextModule {
  init(settings: Record<string, unknown>): void;
  load(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Configures Node-RED context stores (settings.js `contextStorage`) for a suite. The test helper
 * re-initialises the context module on every `load()` without loading configured stores, so the
 * module's `init` is wrapped to load them, as the real runtime does at start.
 */
export function useContextStorage(contextStorage: () => Record<string, unknown>): void {
  const context = (helper as unknown as { _context: ContextModule })._context;
  const settings = (helper as unknown as { settings(update?: Record<string, unknown>): Record<string, unknown> }).settings.bind(helper);
  const originalInit = context.init;
  before(function () {
    const stores = contextStorage();
    settings({ ...settings(), contextStorage: stores });
    context.init = (settings) => {
      originalInit(settings);
      void context.load();
    };
  });
  after(async function () {
    context.init = originalInit;
    await context.close();
    settings({ ...settings(), contextStorage: undefined });
  });
}

/** Context stores for a suite: `default` in memory and `file` (localfilesystem) in a temporary folder removed afterwards. */
export function useFileContextStore(): void {
  let dir: string | undefined;
  useContextStorage(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ddbstream-context-'));
    return { default: { module: 'memory' }, file: { module: 'localfilesystem', config: { dir, flushInterval: 1 } } };
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
}
