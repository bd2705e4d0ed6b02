// Runs a bench script in a fresh Node.js process (nothing of the earlier figures in its heap or JIT)
// and reads the one `RESULT <json>` line it prints.
import { spawn } from 'node:child_process';
import path from 'node:path';

export async function runInFreshProcess<T>(script: string, env: Record<string, string>, timeoutMs: number): Promise<T> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, script)], {
    cwd: path.resolve(__dirname, '..'),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (code !== 0 || !line) throw new Error(`${script} failed (exit ${code}):\n${stderr}`);
  return JSON.parse(line.slice('RESULT '.length)) as T;
}

/** For the child: an environment variable its parent must have set. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** For the child: prints the result line, or the error, and exits. */
export function reportFromChild(main: () => Promise<unknown>): void {
  main().then(
    (result) => {
      process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
