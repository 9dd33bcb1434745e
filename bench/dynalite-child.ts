/**
 * Runs dynalite in its own process for the benchmark.
 * On AWS the table is on other machines; a child process keeps dynalite's CPU on the other core and its
 * memory out of the audit's figures, where an in-process dynalite would share one event loop and one RSS.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { procStatusKb } from './memory.ts';

export interface DynaliteChild {
  dynamoEndpoint: string;
  /** The s3rver the same process serves (a temporary folder): the audit's bucket. */
  s3Endpoint: string;
  pid: number;
  /** dynalite's own peak RSS so far (Linux /proc; null elsewhere). */
  peakRssMb(): number | null;
  /** Closes LevelDB cleanly and waits for the process to end (killed after 30 s). */
  stop(): Promise<void>;
}

const ENTRY = fileURLToPath(new URL('./dynalite-process.ts', import.meta.url));
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

/** Starts dynalite over `dataDir` in a child process (fork inherits tsx's loader flags) and resolves with its endpoint. */
export function startDynaliteChild(dataDir: string): Promise<DynaliteChild> {
  const child = fork(ENTRY, [dataDir], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise<DynaliteChild>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`dynalite did not start within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dynalite exited before it was ready (code ${code})`));
    });
    child.once('message', (message) => {
      clearTimeout(timer);
      const { dynamoEndpoint, s3Endpoint } = message as { dynamoEndpoint: string; s3Endpoint: string };
      resolve({
        dynamoEndpoint,
        s3Endpoint,
        pid: child.pid!,
        peakRssMb: () => {
          const kb = procStatusKb(child.pid!, 'VmHWM');
          return kb === null ? null : kb / 1024;
        },
        stop: () => stopChild(child),
      });
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.send('stop');
  });
}
