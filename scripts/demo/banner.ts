import path from 'node:path';
import { projectRoot } from '../node-red-process';
import { DEMO_TAB_LABEL } from './flow';
import type { RunningDemo } from './run-demo';

export const READY_PREFIX = 'Demo ready: ';
export const PROCESSES_PREFIX = 'Demo processes: ';

/** What the processes line holds, for tests and scripts that must check everything stopped. */
export interface DemoProcesses {
  readonly pid: number;
  readonly nodeRed: { readonly pid: number; readonly port: number; readonly userDir: string };
  readonly receiver: { readonly port: number };
  readonly dynamodbLocal?: { readonly port: number };
}

export function bannerLines(demo: RunningDemo): string[] {
  const editor = `${demo.nodeRed.url}/`;
  const processes: DemoProcesses = {
    pid: process.pid,
    nodeRed: { pid: demo.nodeRed.pid, port: demo.nodeRed.port, userDir: demo.nodeRed.userDir },
    receiver: { port: demo.receiverPort },
    ...(demo.dynamodbLocalPort === undefined ? {} : { dynamodbLocal: { port: demo.dynamodbLocalPort } }),
  };
  return [
    '',
    `Node-RED editor       ${editor}  (flow "${DEMO_TAB_LABEL}"; log in ${path.relative(projectRoot, demo.nodeRedLog)})`,
    `CloudEvents receiver  ${demo.receiverUrl}  (prints a "[receiver] CloudEvent …" line per event it parses)`,
    demo.endpoint
      ? `DynamoDB Local        ${demo.endpoint}  table ${demo.tableArn}; the writer changes a few items a second ("[writer]" lines)`
      : `DynamoDB table        ${demo.tableArn} (no writer: change items yourself)`,
    '',
    'What to look at: open the editor, then the debug sidebar (the bug icon at the right): one message per change.',
    demo.endpoint
      ? 'The status under the "dynamodb stream" node says what it is reading; the "write an item now" button adds an item.'
      : 'The status under the "dynamodb stream" node says what it is reading (or which permission or setting is missing).',
    `${PROCESSES_PREFIX}${JSON.stringify(processes)}`,
    `${READY_PREFIX}${editor}  (Ctrl-C stops everything)`,
  ];
}
