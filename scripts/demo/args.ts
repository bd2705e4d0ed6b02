import { parseArgs } from 'node:util';
import { parseDynamoDbArn, type DynamoDbArn } from '../../nodes/lib/arn';

export interface PortChoice {
  /** The command-line flag that sets it, for messages. */
  readonly flag: string;
  /** 0 means any free port. */
  readonly port: number;
}

export interface DemoArgs {
  readonly nodeRed: PortChoice;
  readonly dynamodbLocal: PortChoice;
  readonly receiver: PortChoice;
  /** Set with --arn: read this real table instead of DynamoDB Local. */
  readonly table?: DynamoDbArn;
  /** The region for --arn; defaults to the ARN's. */
  readonly region?: string;
}

export class ArgsError extends Error {}

export const USAGE = `Usage: npm start -- [options]

  --port <n>       Node-RED editor port (env DEMO_PORT, default 1880)
  --ddb-port <n>   DynamoDB Local port (env DEMO_DDB_PORT, default 8000)
  --sink-port <n>  CloudEvents receiver port (env DEMO_SINK_PORT, default 1881)
                   0 means any free port.
  --arn <ARN>      read this real table instead of DynamoDB Local; no writer. Credentials
                   come from the AWS SDK default chain (env, AWS_PROFILE, SSO, instance role).
  --region <name>  region for --arn (default: the ARN's region)
  --help           this text`;

/** Flags win over environment variables; `undefined` means --help was asked for. */
export function parseDemoArgs(argv: string[], env: NodeJS.ProcessEnv): DemoArgs | undefined {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        port: { type: 'string' },
        'ddb-port': { type: 'string' },
        'sink-port': { type: 'string' },
        arn: { type: 'string' },
        region: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new ArgsError(`${(error as Error).message}\n\n${USAGE}`);
  }
  if (values.help) return undefined;
  let table: DynamoDbArn | undefined;
  try {
    table = values.arn === undefined ? undefined : parseDynamoDbArn(values.arn);
  } catch (error) {
    throw new ArgsError((error as Error).message);
  }
  if (values.region !== undefined && !table) throw new ArgsError('--region goes with --arn');
  return {
    nodeRed: portChoice('--port', values.port ?? env.DEMO_PORT, 1880),
    dynamodbLocal: portChoice('--ddb-port', values['ddb-port'] ?? env.DEMO_DDB_PORT, 8000),
    receiver: portChoice('--sink-port', values['sink-port'] ?? env.DEMO_SINK_PORT, 1881),
    table,
    region: values.region,
  };
}

function portChoice(flag: string, value: string | undefined, fallback: number): PortChoice {
  if (value === undefined || value === '') return { flag, port: fallback };
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new ArgsError(`${flag} takes a port number from 0 to 65535, not "${value}"`);
  return { flag, port };
}
