import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { JavaMissingError, dynamoDbLocalArgs, dynamoDbLocalJarDir, freePort, javaAvailable } from '../../scripts/dynamodb-local';

const START_TIMEOUT_MS = 30_000;

/**
 * A DynamoDB Local of its own, keeping its data in a temporary `-dbPath` folder, that a test can
 * kill (SIGKILL, like a crash) and start again on the same port. DynamoDB Local 3.x keeps tables,
 * streams, shards and stream records across such a restart, and shard iterators stay valid.
 */
export class RestartableDynamoDbLocal {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private stderr = '';

  private constructor(
    readonly port: number,
    readonly dbPath: string,
  ) {}

  static async start(): Promise<RestartableDynamoDbLocal> {
    if (!javaAvailable()) throw new JavaMissingError();
    const instance = new RestartableDynamoDbLocal(await freePort(), mkdtempSync(path.join(os.tmpdir(), 'ddbstream-dbpath-')));
    await instance.launch();
    return instance;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGKILL: no shutdown hooks, connections cut. */
  async kill(): Promise<void> {
    if (this.running) this.child?.kill('SIGKILL');
    await this.exited;
  }

  /** Starts it again on the same port with the same data folder. */
  async restart(): Promise<void> {
    await this.kill();
    await this.launch();
  }

  /** Kills it and removes its data. */
  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dbPath, { recursive: true, force: true });
  }

  private async launch(): Promise<void> {
    const jarDir = dynamoDbLocalJarDir();
    const args = dynamoDbLocalArgs(jarDir, this.port, { dbPath: this.dbPath });
    const child = spawn('java', args, { cwd: jarDir, stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    this.stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await listening(this.port))) {
      if (!this.running || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`DynamoDB Local did not listen on 127.0.0.1:${this.port}\n${this.stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
