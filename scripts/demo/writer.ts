import { DeleteItemCommand, PutItemCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DEMO_TABLE } from './local-table';

const ORDERS = 5;
const STATUSES = ['paid', 'packed', 'shipped'];
type Key = { pk: AttributeValue.SMember; sk: AttributeValue.NMember };

/**
 * A gentle stream of changes: in cycle c it inserts order c, modifies order c-1 and removes order c-2,
 * one operation per tick, over a ring of five orders.
 */
export class DemoWriter {
  private step = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly log: (line: string) => void,
    private readonly intervalMs = 400,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.tick(), this.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  /** The flow's "write an item now" button: one new item, so one INSERT. */
  async writeOnDemand(): Promise<string> {
    const key: Key = { pk: { S: 'button' }, sk: { N: String(Date.now()) } };
    await this.client.send(new PutItemCommand({ TableName: DEMO_TABLE, Item: { ...key, pressedAt: { S: new Date().toISOString() } } }));
    const line = `INSERT ${describe(key)}`;
    this.log(`[writer] ${line} (button)`);
    return line;
  }

  private tick(): void {
    if (this.inFlight) return;
    this.inFlight = this.nextOperation()
      .catch((error: unknown) => this.log(`[writer] ${(error as Error).message}`))
      .finally(() => (this.inFlight = undefined));
  }

  private async nextOperation(): Promise<void> {
    const cycle = Math.floor(this.step / 3);
    const phase = this.step % 3;
    this.step += 1;
    const order = cycle - phase;
    if (order < 0) return; // the first cycles have nothing to modify or remove yet
    const key: Key = { pk: { S: `order-${(order % ORDERS) + 1}` }, sk: { N: '1' } };
    if (phase === 0) {
      await this.client.send(new PutItemCommand({ TableName: DEMO_TABLE, Item: { ...key, orderStatus: { S: 'new' }, cycle: { N: String(cycle) } } }));
    } else if (phase === 1) {
      await this.client.send(
        new UpdateItemCommand({
          TableName: DEMO_TABLE,
          Key: key,
          UpdateExpression: 'SET orderStatus = :status',
          ExpressionAttributeValues: { ':status': { S: STATUSES[cycle % STATUSES.length] } },
        }),
      );
    } else {
      await this.client.send(new DeleteItemCommand({ TableName: DEMO_TABLE, Key: key }));
    }
    this.log(`[writer] ${['INSERT', 'MODIFY', 'REMOVE'][phase]} ${describe(key)}`);
  }
}

function describe(key: Key): string {
  return `pk=${key.pk.S},sk=${key.sk.N}`;
}
