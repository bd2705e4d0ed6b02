import type { _Record, StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import type { RecordContext } from '../../nodes/lib/cloudevent';

export const ORDERS_TABLE_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/orders';
export const ORDERS_STREAM_ARN = `${ORDERS_TABLE_ARN}/stream/2024-01-01T00:00:00.000`;
export const CREATED = new Date('2023-03-30T12:00:00Z');

/** The `orders` table: partition key `pk`, sort key `sk`. */
export const ORDERS_CONTEXT: RecordContext = {
  tableArn: ORDERS_TABLE_ARN,
  streamArn: ORDERS_STREAM_ARN,
  tableName: 'orders',
  keyAttributeNames: ['pk', 'sk'],
};

export type Images = Pick<StreamRecord, 'NewImage' | 'OldImage'>;

/** A record of item pk=k1, sk=2 as GetRecords returns it (the SDK lists the sort key first). */
export function orderRecord(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', images: Images = {}, eventID = `id-${eventName}`): _Record {
  return {
    eventID,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: CREATED,
      Keys: { sk: { N: '2' }, pk: { S: 'k1' } },
      ...images,
      SequenceNumber: '100000000000000000001',
      SizeBytes: 42,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}
