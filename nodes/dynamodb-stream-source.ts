import type { Node, NodeAPI, NodeDef } from 'node-red';
import type { DynamoDbStreamConfigNode } from './config-node';
import { MessageBuilder } from './lib/message-builder';
import { resolveSourceOptions, type SourceNodeProperties, type SourceOptions } from './lib/source-options';
import { SourceStatus, type StatusView } from './lib/source-status';
import { StreamConsumer, type ConsumerEvent, type ConsumerTiming } from './lib/stream-consumer';
import type { ShardRecords } from './lib/stream-session';
import { ProblemLog } from './problem-log';

interface SourceNodeDef extends NodeDef, SourceNodeProperties {
  config: string;
}

/** Optional `dynamodbStreams` section of Node-RED's settings.js (timings in milliseconds). */
interface RuntimeSettings {
  dynamodbStreams?: Partial<ConsumerTiming>;
}

const STATUS_REFRESH_MS = 2_000;

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
    const status = new SourceStatus(settings.endpoint ?? `DynamoDB in ${settings.region}`);
    const problems = new ProblemLog();
    const builder = new MessageBuilder({
      tableArn: settings.arn.tableArn,
      tableName: settings.arn.tableName,
      dataFormat: options.dataFormat,
      output: options.output,
      eventNames: options.eventNames,
    });

    const deliver = (batch: ShardRecords): void => {
      const last = batch.records[batch.records.length - 1];
      status.onRecords(batch.records.length, last?.dynamodb?.ApproximateCreationDateTime);
      const messages = builder.build(batch);
      if (messages.length > 0) node.send([messages]);
    };

    const onEvent = (event: ConsumerEvent): void => {
      const view = status.onEvent(event);
      if (view) show(view);
      const report = problems.describe(event, t);
      if (report?.level === 'error') node.error(report.text);
      else if (report?.level === 'warn') node.warn(report.text);
      else if (report) node.debug(report.text);
    };

    let consumer: StreamConsumer;
    try {
      const clients = config.clients();
      consumer = new StreamConsumer({
        dynamodb: clients.dynamodb,
        streams: clients.streams,
        arn: settings.arn,
        startingPosition: options.startingPosition,
        batchSize: options.batchSize,
        deliver,
        onEvent,
        timing: (RED.settings as RuntimeSettings).dynamodbStreams,
      });
    } catch (error) {
      return fail((error as Error).message);
    }
    const statusTimer = setInterval(() => {
      if (consumer.activeShardCount > 0) show(status.current());
    }, STATUS_REFRESH_MS);
    consumer.start();

    node.on('close', (_removed: boolean, done: () => void) => {
      clearInterval(statusTimer);
      consumer
        .stop()
        .catch((error: unknown) => node.debug(`stop: ${(error as Error).message}`))
        .finally(() => {
          node.status({});
          done();
        });
    });
  }

  RED.nodes.registerType('dynamodb-stream-source', DynamoDbStreamSource);
};
