import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import type { DynamoDbStreamConfigNode } from './config-node';
import { sleep } from './lib/abortable-sleep';
import type { AwsClients } from './lib/clients';
import { RecordDelivery } from './lib/delivery/record-delivery';
import { ShardPositions } from './lib/position/shard-positions';
import { MessageBuilder, type OutgoingMessage } from './lib/message-builder';
import { MAX_GET_RECORDS_LIMIT, resolveSourceOptions, type SourceNodeProperties, type SourceOptions } from './lib/source-options';
import { SourceStatus, type StatusView } from './lib/source-status';
import { StreamConsumer, type ConsumerEvent, type ConsumerTiming } from './lib/stream-consumer';
import { ProblemLog } from './problem-log';
import { sourceCheckpoints, type LeaseTiming, type SourceCheckpoints } from './source-checkpoints';

interface SourceNodeDef extends NodeDef, SourceNodeProperties {
  config: string;
}

/** Optional `dynamodbStreams` section of Node-RED's settings.js (milliseconds). */
interface RuntimeSettings {
  dynamodbStreams?: Partial<ConsumerTiming> & LeaseTiming & { checkpointFlushIntervalMs?: number; redeliveryBaseMs?: number; redeliveryMaxMs?: number };
}

const STATUS_REFRESH_MS = 2_000;
const RESEND_CHECK_MS = 1_000;
/** Sharing the stream: how long a closing node waits for outstanding acknowledgements before handing its leases over. */
const HAND_OVER_ACK_WAIT_MS = 2_000;
const HAND_OVER_ACK_STALL_MS = 250;
const START_RETRY_MS = 10_000;

export = function register(RED: NodeAPI): void {
  function DynamoDbStreamSource(this: Node, def: SourceNodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const t = (key: string, params?: Readonly<Record<string, string | number>>): string =>
      RED._(`dynamodb-stream-source.${key}`, params as Record<string, string>);
    const show = (view: StatusView): void => node.status({ fill: view.fill, shape: view.shape, text: t(view.key, view.params) });
    const fail = (message: string): void => {
      node.status({ fill: 'red', shape: 'ring', text: message.length > 60 ? `${message.slice(0, 57)}…` : message });
      node.error(message);
    };

    const config = RED.nodes.getNode(def.config) as DynamoDbStreamConfigNode | null;
    if (!config) return fail(t('errors.noConfig'));
    if (!config.settings) return fail(config.configError ?? t('errors.noConfig'));
    let options: SourceOptions;
    try {
      options = resolveSourceOptions(def);
    } catch (error) {
      return fail((error as Error).message);
    }
    const { settings } = config;
    const tuning = (RED.settings as RuntimeSettings).dynamodbStreams ?? {};
    let clients: AwsClients;
    let stored: SourceCheckpoints;
    try {
      clients = config.clients();
      stored = sourceCheckpoints(RED, node, options, clients.dynamodb, settings.arn.tableArn, tuning, t);
    } catch (error) {
      return fail((error as Error).message);
    }
    const checkpoints = stored.backend;
    const lease = stored.lease;
    const status = new SourceStatus(
      settings.endpoint ?? `DynamoDB in ${settings.region}`,
      lease ? { workerId: lease.workerId, totalShards: () => lease.coordinator.leaseCount() } : undefined,
    );
    const problems = new ProblemLog();
    const positions = new ShardPositions({ backend: checkpoints, capacity: options.ackMode === 'manual' ? options.maxInFlight : Infinity });
    const delivery = new RecordDelivery({
      nodeId: node.id,
      builder: new MessageBuilder({
        tableArn: settings.arn.tableArn,
        tableName: settings.arn.tableName,
        dataFormat: options.dataFormat,
        eventNames: options.eventNames,
        filter: options.filter,
        cloudeventsMode: options.cloudeventsMode,
      }),
      output: options.output,
      ackMode: options.ackMode,
      ackTimeoutMs: options.ackTimeout * 1000,
      maxRecordAgeMs: options.maxRecordAge * 1000,
      batchWindowMs: options.batchWindow * 1000,
      batchSize: options.batchSize,
      maxRetries: options.maxRetries,
      bisectOnError: options.bisectOnError,
      ordering: options.ordering,
      redeliveryBaseMs: tuning.redeliveryBaseMs,
      redeliveryMaxMs: tuning.redeliveryMaxMs,
      positions,
      send: (message: OutgoingMessage) => node.send(message),
      sendFailed: (message: OutgoingMessage) => {
        const { shardId, sequenceNumber } = message.dynamodbStream as { shardId: string; sequenceNumber: string };
        node.warn(t('errors.givenUp', { attempts: String(message.attempts), shard: shardId, sequenceNumber }));
        node.send([null, message]);
      },
      onSkippedOldRecords: (count, shardId) =>
        node.warn(`Skipped ${count} record(s) of shard ${shardId} older than ${options.maxRecordAge} s (maxRecordAge)`),
    });

    const onEvent = (event: ConsumerEvent): void => {
      if (event.type === 'reading') clients.setShardsRead(node, event.activeShards);
      const view = status.onEvent(event);
      if (view) show(view);
      const report = problems.describe(event, t);
      if (report?.level === 'error') node.error(report.text);
      else if (report?.level === 'warn') node.warn(report.text);
      else if (report) node.debug(report.text);
    };

    let consumer: StreamConsumer;
    try {
      consumer = new StreamConsumer({
        dynamodb: clients.dynamodb,
        streams: clients.streams,
        arn: settings.arn,
        startingPosition: options.startingPosition,
        batchSize: Math.min(options.batchSize, MAX_GET_RECORDS_LIMIT),
        positions,
        ...(stored.assignment ? { assignment: stored.assignment } : {}),
        deliver: (page) => {
          const last = page.records[page.records.length - 1];
          status.onRecords(page.records.length, last?.dynamodb?.ApproximateCreationDateTime);
          return delivery.deliver(page);
        },
        onEvent,
        timing: tuning,
      });
    } catch (error) {
      return fail((error as Error).message);
    }

    const timers = [
      setInterval(() => {
        if (consumer.activeShardCount > 0) show(status.current());
      }, STATUS_REFRESH_MS),
    ];
    if (options.ackMode === 'manual' && options.ackTimeout > 0) {
      timers.push(
        setInterval(() => {
          const overdue = delivery.failOverdue();
          if (overdue > 0) node.warn(t('errors.ackTimedOut', { count: overdue, seconds: options.ackTimeout }));
        }, RESEND_CHECK_MS),
      );
    }

    if (options.ackMode === 'manual') {
      node.on('input', (msg: NodeMessageInFlow, _send: unknown, done: (error?: Error) => void) => {
        const result = delivery.acknowledge(msg);
        if (result === 'not-ours' || result === 'missing') node.warn(t('errors.notFromThisNode'));
        else if (result === 'stale') node.debug(t('errors.staleAcknowledgement'));
        else if (result === 'superseded') node.debug(t('errors.supersededFailure'));
        done();
      });
    }

    // Loading checkpoints (with a lease table: creating it, listing it) is tried again until it works or the node closes.
    const closing = new AbortController();
    const starting = (async (): Promise<void> => {
      while (!closing.signal.aborted) {
        try {
          await checkpoints?.load();
          if (!closing.signal.aborted) consumer.start();
          return;
        } catch (error) {
          const reason = (error as Error).message;
          fail(lease ? t('errors.leaseTable', { table: lease.table, reason }) : t('errors.checkpointFailed', { shard: '*', reason }));
          await sleep(START_RETRY_MS, closing.signal);
        }
      }
    })();

    /**
     * Sharing the stream: outstanding acknowledgements may still come back before the leases go to
     * another worker; waits while they do (at most HAND_OVER_ACK_WAIT_MS), not once they stop coming.
     */
    const waitForAcknowledgements = async (): Promise<void> => {
      const until = Date.now() + HAND_OVER_ACK_WAIT_MS;
      let outstanding = delivery.inFlight;
      let progressAt = Date.now();
      while (lease && outstanding > 0 && Date.now() < until && Date.now() - progressAt < HAND_OVER_ACK_STALL_MS) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        if (delivery.inFlight < outstanding) progressAt = Date.now();
        outstanding = delivery.inFlight;
      }
    };

    node.on('close', (_removed: boolean, done: () => void) => {
      closing.abort();
      for (const timer of timers) clearInterval(timer);
      delivery.close();
      positions.close();
      starting
        .catch(() => undefined)
        .then(() => consumer.stop())
        .then(() => clients.setShardsRead(node, 0))
        .then(waitForAcknowledgements)
        .then(() => checkpoints?.close())
        .catch((error: unknown) => node.error(`Closing: ${(error as Error).message}`))
        .finally(() => {
          node.status({});
          done();
        });
    });
  }

  RED.nodes.registerType('dynamodb-stream-source', DynamoDbStreamSource);
};
