import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import type { DataFormat } from './data-format';
import { toAwsData } from './formats/aws';
import { toDocumentData } from './formats/document';
import { toTriggerMeshData } from './formats/triggermesh';
import type { RecordContext } from './record-context';

/** The CloudEvent `data` (`msg.payload`) of one record in the chosen format. */
export function toData(record: _Record, context: RecordContext, format: DataFormat): unknown {
  switch (format) {
    case 'triggermesh':
      return toTriggerMeshData(record);
    case 'aws':
      return toAwsData(record, context.streamArn);
    case 'document':
      return toDocumentData(record);
    default:
      throw new Error(`Unknown data format "${String(format)}"; expected one of triggermesh, aws, document`);
  }
}
