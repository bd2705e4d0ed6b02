// The shape of every table the demo, the tests and the bench create in DynamoDB Local.
import type { CreateTableCommandInput, StreamViewType } from '@aws-sdk/client-dynamodb';

export interface StreamTableShape {
  /** Adds a numeric sort key `sk`. */
  readonly rangeKey?: boolean;
  /** The stream's view type, or false for a table without a stream. Default NEW_AND_OLD_IMAGES. */
  readonly stream?: StreamViewType | false;
}

/** A `pk` (string) [+ `sk` (number)] on-demand table with a stream unless `stream: false`. */
export function streamTableInput(tableName: string, shape: StreamTableShape = {}): CreateTableCommandInput {
  const stream = shape.stream === undefined ? 'NEW_AND_OLD_IMAGES' : shape.stream;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, ...(shape.rangeKey ? [{ AttributeName: 'sk', AttributeType: 'N' as const }] : [])],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, ...(shape.rangeKey ? [{ AttributeName: 'sk', KeyType: 'RANGE' as const }] : [])],
    ...(stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: stream } } : {}),
  };
}
