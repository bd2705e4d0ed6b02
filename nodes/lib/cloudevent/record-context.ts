/** What a stream record does not say about itself but its message needs. */
export interface RecordContext {
  /** The CloudEvent `source`. */
  tableArn: string;
  /** The `eventSourceARN` of the `aws` data format. */
  streamArn: string;
  /** The first segment of `msg.topic`. */
  tableName: string;
  /** Key schema order: HASH first, then RANGE. */
  keyAttributeNames: string[];
}
