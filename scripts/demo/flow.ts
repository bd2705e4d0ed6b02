import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../node-red-process';
import { DEMO_CREDENTIALS, DEMO_REGION } from './local-table';

export const DEMO_FLOW_FILE = path.join(projectRoot, 'examples', 'demo-stream-to-debug-and-cloudevents.json');
export const DEMO_TAB_LABEL = 'DynamoDB Streams demo';

type FlowNode = Record<string, unknown> & { id: string; type: string; z?: string };

/** The example flow plus the tab its nodes sit on (examples leave the tab to the importer). */
export function demoFlow(): FlowNode[] {
  const nodes = JSON.parse(readFileSync(DEMO_FLOW_FILE, 'utf8')) as FlowNode[];
  const tabId = nodes.find((node) => node.z)?.z;
  if (!tabId) throw new Error(`${DEMO_FLOW_FILE} has no flow nodes`);
  return [{ id: tabId, type: 'tab', label: DEMO_TAB_LABEL, disabled: false, info: '' }, ...nodes];
}

export interface FlowTarget {
  readonly tableArn: string;
  readonly region: string;
  /** DynamoDB Local's URL; undefined for a real table. */
  readonly endpoint?: string;
  readonly sinkUrl: string;
  readonly writeUrl: string;
}

/**
 * The environment the flow's `${…}` references read. An unset variable would stay as the literal `${…}`,
 * so every one is set, DDB_ENDPOINT to empty for AWS. Against DynamoDB Local the default credential chain
 * finds the demo's keys in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; against AWS it finds the user's own.
 */
export function flowEnvironment(target: FlowTarget): Record<string, string | undefined> {
  const flowVariables = {
    DDB_TABLE_ARN: target.tableArn,
    DDB_REGION: target.region,
    DDB_ENDPOINT: target.endpoint ?? '',
    CE_SINK_URL: target.sinkUrl,
    DEMO_WRITE_URL: target.writeUrl,
  };
  if (!target.endpoint) return flowVariables;
  return {
    ...flowVariables,
    AWS_ACCESS_KEY_ID: DEMO_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: DEMO_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_REGION: DEMO_REGION,
  };
}
