/**
 * How a command-line tool reaches the local stack: through the running `npm start` when there is
 * one (dynalite's on-disk store admits one process), otherwise by starting its own servers over
 * the same data folder for as long as the command runs. With IRO_TARGET=aws it uses AWS instead.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { configFromEnv, DEFAULT_BUCKET_NAME, DEFAULT_TABLE_NAME, type StoreConfig } from '#config/config';
import { createDynamoDocumentClient, createS3Client } from '#config/aws-clients';
import { ensureBucket } from '#store/object-store';
import { openStores, type Stores } from '#store/open';
import { ensureTable } from '#store/table';
import { startLocalServers } from './servers.ts';

export interface Connection extends Stores {
  config: StoreConfig;
  /** Where the connection came from, for the command's first line of output. */
  description: string;
  close(): Promise<void>;
}

interface StackFile {
  pid: number;
  url: string;
  dynamoEndpoint: string;
  s3Endpoint: string;
}

const stackFile = (dataDir: string) => join(resolve(dataDir), 'stack.json');

/** Records the running stack's endpoints so CLIs can share it. */
export async function writeStackFile(dataDir: string, stack: StackFile): Promise<void> {
  await writeFile(stackFile(dataDir), JSON.stringify(stack, null, 2));
}

/** Removes the record when the stack stops. */
export async function removeStackFile(dataDir: string): Promise<void> {
  await rm(stackFile(dataDir), { force: true });
}

/** The stack `npm start` is running over `dataDir`, if any (a file left by a crash is ignored). */
export async function runningStack(dataDir: string): Promise<StackFile | undefined> {
  try {
    const stack = JSON.parse(await readFile(stackFile(dataDir), 'utf8')) as StackFile;
    process.kill(stack.pid, 0); // throws when no such process: a stale file from a crash
    return stack;
  } catch {
    return undefined;
  }
}

/** The local configuration for a pair of endpoints. */
export function localConfig(dynamoEndpoint: string, s3Endpoint: string): StoreConfig {
  return {
    region: 'eu-west-2',
    tableName: DEFAULT_TABLE_NAME,
    bucketName: DEFAULT_BUCKET_NAME,
    dynamoEndpoint,
    s3Endpoint,
  };
}

/** Connects to AWS (IRO_TARGET=aws), the running local stack, or a private one over `dataDir`. */
export async function connect(dataDir: string): Promise<Connection> {
  if (process.env.IRO_TARGET === 'aws') {
    const config = configFromEnv();
    return {
      ...openStores(config),
      config,
      description: `AWS: table ${config.tableName}, bucket ${config.bucketName}`,
      close: async () => {},
    };
  }
  const running = await runningStack(dataDir);
  if (running) {
    const config = localConfig(running.dynamoEndpoint, running.s3Endpoint);
    return {
      ...openStores(config),
      config,
      description: `the running local stack (${running.url})`,
      close: async () => {},
    };
  }
  const servers = await startLocalServers({
    dataDir: join(resolve(dataDir), 'dynamodb'),
    s3Dir: join(resolve(dataDir), 's3'),
  });
  const config = localConfig(servers.dynamoEndpoint, servers.s3Endpoint);
  await ensureTable(createDynamoDocumentClient(config), config.tableName);
  await ensureBucket(createS3Client(config), config.bucketName);
  return {
    ...openStores(config),
    config,
    description: `the local data in ${resolve(dataDir)} (npm start is not running)`,
    close: () => servers.close(),
  };
}
