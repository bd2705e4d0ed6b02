import helper from 'node-red-node-test-helper';
import path from 'node:path';
import { LOCAL_CREDENTIALS } from './dynamodb';

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
};

export interface FlowOptions {
  arn: string;
  endpoint: string;
  region?: string;
  source?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

export type FlowNode = Record<string, unknown> & { id: string; type: string };

/** config node `c1`, source node `s1` wired to helper node `h1`. */
export function sourceFlow(options: FlowOptions): FlowNode[] {
  return [
    { id: 'f1', type: 'tab', label: 'test' },
    {
      id: 'c1',
      type: 'dynamodb-stream-config',
      name: '',
      arn: options.arn,
      region: options.region ?? '',
      endpoint: options.endpoint,
      authMode: 'keys',
      ...options.config,
    },
    {
      id: 's1',
      z: 'f1',
      type: 'dynamodb-stream-source',
      name: '',
      config: 'c1',
      startingPosition: 'TRIM_HORIZON',
      batchSize: 100,
      output: 'record',
      dataFormat: 'triggermesh',
      eventNames: 'INSERT,MODIFY,REMOVE',
      checkpointStore: 'none',
      ackMode: 'auto',
      maxInFlight: 100,
      ...options.source,
      wires: [['h1']],
    },
    { id: 'h1', z: 'f1', type: 'helper' },
  ];
}

export const sourceCredentials = { c1: { ...LOCAL_CREDENTIALS } };

export { helper };
