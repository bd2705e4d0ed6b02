import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { CloudEventsReceiver } from '../cloudevents-receiver';
import { startDynamoDbLocal } from '../dynamodb-local';
import { projectRoot, startNodeRed, type NodeRedProcess } from '../node-red-process';
import type { DemoArgs } from './args';
import { demoFlow, flowEnvironment } from './flow';
import { installDemoPackage } from './install';
import { DEMO_TABLE_ARN, DEMO_REGION, createDemoTable, demoClient } from './local-table';
import { describeReceived } from './receiver-log';
import type { Teardown } from './teardown';
import { writeEndpoint, WRITE_PATH } from './write-endpoint';
import { DemoWriter } from './writer';

export const DEMO_DIR = path.join(projectRoot, '.demo');

export interface DemoPorts {
  readonly nodeRed: number;
  readonly receiver: number;
  /** Undefined with --arn. */
  readonly dynamodbLocal?: number;
}

export interface RunningDemo {
  readonly nodeRed: NodeRedProcess;
  readonly nodeRedLog: string;
  readonly receiverUrl: string;
  readonly receiverPort: number;
  readonly tableArn: string;
  /** DynamoDB Local's URL; undefined with --arn. */
  readonly endpoint?: string;
  readonly dynamodbLocalPort?: number;
}

export interface DemoContext {
  readonly args: DemoArgs;
  readonly ports: DemoPorts;
  /** Everything started is added here, so the caller can stop it, also when a later step fails. */
  readonly teardown: Teardown;
  /** Throws when a stop signal arrived meanwhile, so nothing more is started. */
  readonly checkNotStopped: () => void;
  readonly log: (line: string) => void;
}

/** DynamoDB Local + demo table (unless --arn), the receiver, the installed package in a real Node-RED, then the writer. */
export async function startDemo({ args, ports, teardown, checkNotStopped, log }: DemoContext): Promise<RunningDemo> {
  let endpoint: string | undefined;
  let writer: DemoWriter | undefined;
  if (ports.dynamodbLocal !== undefined) {
    log(`Starting DynamoDB Local on port ${ports.dynamodbLocal}…`);
    const dynamodbLocal = await startDynamoDbLocal({ port: ports.dynamodbLocal });
    teardown.add('DynamoDB Local', () => dynamodbLocal.stop());
    endpoint = dynamodbLocal.endpoint;
    const client = demoClient(endpoint);
    teardown.add('the DynamoDB client', () => client.destroy());
    await createDemoTable(client);
    writer = new DemoWriter(client, log);
    checkNotStopped();
  }

  const receiver = new CloudEventsReceiver({
    port: ports.receiver,
    keepReceived: false,
    onRequest: (request) => log(describeReceived(request)),
    routes: { [WRITE_PATH]: writeEndpoint(writer) },
  });
  const receiverUrl = await receiver.start();
  teardown.add('the CloudEvents receiver', () => receiver.stop());

  log(`Packing this package and installing it into ${path.relative(projectRoot, DEMO_DIR)}/userdir…`);
  const { userDir, reinstalled } = installDemoPackage(DEMO_DIR);
  log(reinstalled ? 'Installed.' : 'Already installed (the tarball did not change).');
  checkNotStopped();

  const tableArn = args.table?.tableArn ?? DEMO_TABLE_ARN;
  const nodeRedLog = path.join(DEMO_DIR, 'node-red.log');
  const logStream = createWriteStream(nodeRedLog);
  teardown.add('the Node-RED log', () => new Promise<void>((resolve) => logStream.end(resolve)));
  log(`Starting Node-RED on port ${ports.nodeRed}…`);
  const nodeRed = await startNodeRed({
    userDir,
    port: ports.nodeRed,
    flows: demoFlow(),
    env: flowEnvironment({
      tableArn,
      region: args.region ?? args.table?.region ?? DEMO_REGION,
      endpoint,
      sinkUrl: receiverUrl,
      writeUrl: `http://127.0.0.1:${receiver.port}${WRITE_PATH}`,
    }),
    onOutput: (text) => logStream.write(text),
  });
  teardown.add('Node-RED', () => nodeRed.stop());
  checkNotStopped();

  if (writer) {
    writer.start();
    const started = writer;
    teardown.add('the writer', () => started.stop());
  }
  return { nodeRed, nodeRedLog, receiverUrl, receiverPort: receiver.port, tableArn, endpoint, dynamodbLocalPort: ports.dynamodbLocal };
}
