// `npm start`: DynamoDB Local with a demo table, a writer, this package installed into a real Node-RED
// running the demo flow, and a CloudEvents receiver; Ctrl-C stops all of it. `npm start -- --help` for options.
import { JavaMissingError, javaAvailable } from './dynamodb-local';
import { ArgsError, parseDemoArgs, USAGE } from './demo/args';
import { bannerLines } from './demo/banner';
import { claimPorts, PortUnavailableError } from './demo/ports';
import { startDemo, type DemoPorts } from './demo/run-demo';
import { Teardown } from './demo/teardown';

class StopRequested extends Error {}

const log = (line: string): void => console.log(line);

async function main(): Promise<number> {
  const args = parseDemoArgs(process.argv.slice(2), process.env);
  if (!args) {
    log(USAGE);
    return 0;
  }
  const local = !args.table;
  if (local && !javaAvailable()) throw new JavaMissingError();
  const [nodeRed, receiver, dynamodbLocal] = await claimPorts(local ? [args.nodeRed, args.receiver, args.dynamodbLocal] : [args.nodeRed, args.receiver]);
  const ports: DemoPorts = { nodeRed, receiver, dynamodbLocal };

  let stopSignal: NodeJS.Signals | undefined;
  const stopped = new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (!stopSignal) log(`\n${signal}: stopping…`);
      stopSignal ??= signal;
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  const checkNotStopped = (): void => {
    if (stopSignal) throw new StopRequested();
  };

  const teardown = new Teardown();
  try {
    const demo = await startDemo({ args, ports, teardown, checkNotStopped, log });
    for (const line of bannerLines(demo)) log(line);
    await stopped;
    return 0;
  } catch (error) {
    if (error instanceof StopRequested || stopSignal) return 0;
    report(error);
    return 1;
  } finally {
    await teardown.run(log);
    log('Demo stopped.');
  }
}

/** Expected problems in one line; anything else with its stack. */
function report(error: unknown): void {
  const expected = error instanceof ArgsError || error instanceof PortUnavailableError || error instanceof JavaMissingError;
  console.error(expected ? (error as Error).message : error);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    report(error);
    process.exit(1);
  },
);
