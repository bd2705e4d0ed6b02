// Figure 5, a micro-benchmark: µs per record for record → msg in each data format, through the
// MessageBuilder the source node uses (CloudEvent attributes, data, binary-mode headers, topic).
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import type { DataFormat } from '../nodes/lib/cloudevent';
import { MessageBuilder, type PageContext } from '../nodes/lib/message-builder';
import { EVENT_NAMES } from '../nodes/lib/source-options';

export interface MappingFigure {
  format: DataFormat;
  /** Best pass, in CPU time of this process (immune to being descheduled by other processes). */
  microsPerRecord: number;
  /** Best pass in wall-clock time. */
  wallMicrosPerRecord: number;
}

export const MAPPING_FORMATS: readonly DataFormat[] = ['triggermesh', 'aws', 'document'];

const TABLE_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/orders';
const STREAM_ARN = `${TABLE_ARN}/stream/2024-01-01T00:00:00.000`;

/** A realistic ~300-byte MODIFY with both images, nested map and list, a set and binary. */
export function sampleRecord(i: number): _Record {
  const image = (status: string) => ({
    pk: { S: `customer-${i % 1000}` },
    sk: { N: String(i) },
    status: { S: status },
    total: { N: '129.95' },
    items: { L: [{ M: { sku: { S: 'A-1' }, qty: { N: '2' } } }, { M: { sku: { S: 'B-7' }, qty: { N: '1' } } }] },
    tags: { SS: ['gift', 'express'] },
    address: { M: { city: { S: 'Zürich' }, zip: { S: '8001' } } },
    thumbnail: { B: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) },
  });
  return {
    eventID: `0f1e2d3c4b5a69788796a5b4c3d2e1f${i}`,
    eventName: 'MODIFY',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: new Date(1_700_000_000_000 + i * 1000),
      Keys: { sk: { N: String(i) }, pk: { S: `customer-${i % 1000}` } },
      NewImage: image('paid'),
      OldImage: image('new'),
      SequenceNumber: String(100_000_000_000_000_000_000n + BigInt(i)),
      SizeBytes: 300,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

function builderFor(format: DataFormat): MessageBuilder {
  return new MessageBuilder({ tableArn: TABLE_ARN, tableName: 'orders', dataFormat: format, eventNames: new Set(EVENT_NAMES) });
}

/** µs per record of one pass over the page: CPU time (user + system) and wall-clock time. */
function timePass(builder: MessageBuilder, page: PageContext & { records: _Record[] }): { cpu: number; wall: number } {
  let sink = 0;
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (const record of page.records) sink += Object.keys(builder.recordMessage(record, page)).length;
  const wall = Number(process.hrtime.bigint() - started) / 1_000;
  const cpu = process.cpuUsage(cpuBefore);
  if (sink === 0) throw new Error('unreachable');
  return { cpu: (cpu.user + cpu.system) / page.records.length, wall: wall / page.records.length };
}

/**
 * Best pass of `rounds` per format, the formats taking turns: a pass slowed down by another process
 * on this shared machine is not the cost of the mapping, and the minimum filters it out. The figure
 * is CPU time, which other processes cannot inflate; it includes V8's parallel GC helper threads,
 * so it reads a few per cent above the wall-clock time on an idle machine.
 */
export function measureMapping(formats: readonly DataFormat[], records = 20_000, rounds = 15): MappingFigure[] {
  const input = Array.from({ length: records }, (_, i) => sampleRecord(i));
  const page = { streamArn: STREAM_ARN, shardId: 'shardId-1', keyAttributeNames: ['pk', 'sk'], records: input };
  const builders = formats.map(builderFor);
  const warmUp = { ...page, records: input.slice(0, 2_000) };
  for (const builder of builders) timePass(builder, warmUp);
  const best = formats.map(() => ({ cpu: Infinity, wall: Infinity }));
  for (let round = 0; round < rounds; round++) {
    builders.forEach((builder, i) => {
      const pass = timePass(builder, page);
      best[i] = { cpu: Math.min(best[i].cpu, pass.cpu), wall: Math.min(best[i].wall, pass.wall) };
    });
  }
  return formats.map((format, i) => ({ format, microsPerRecord: best[i].cpu, wallMicrosPerRecord: best[i].wall }));
}
