/**
 * The two local stand-ins for AWS: dynalite (DynamoDB wire protocol) and s3rver (S3 wire protocol),
 * on loopback only. Shared by `npm start`, the command-line tools and the integration tests.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { withTransactWriteItems } from './dynalite-transactions.ts';

export interface LocalServerOptions {
  /** dynalite's LevelDB folder (kept on disk); in memory when absent. */
  dataDir?: string;
  /** s3rver's folder; a temporary folder, removed on close, when absent (s3rver always needs one). */
  s3Dir?: string;
  /** 0 or absent: any free port. */
  dynamoPort?: number;
  s3Port?: number;
}

/** What s3rver tells of a change to an object: the same shape as an S3 event notification. */
export interface ObjectEvent {
  Records: { eventName: string; s3: { bucket: { name: string }; object: { key: string } } }[];
}

export interface LocalServers {
  dynamoEndpoint: string;
  s3Endpoint: string;
  /** Calls `listener` for every object event, as S3 would notify a Lambda (locally: the import trigger). */
  onObjectEvent(listener: (event: ObjectEvent) => void): void;
  /** Stops both servers; resolves once dynalite has closed its database. */
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

/** Starts dynalite and s3rver on loopback and resolves once both listen. */
export async function startLocalServers(options: LocalServerOptions = {}): Promise<LocalServers> {
  const cleanups: (() => Promise<void>)[] = [];
  const close = async () => {
    const errors: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error: unknown) => errors.push(error));
    if (errors.length > 0) throw errors[0];
  };
  try {
    if (options.dataDir) {
      await mkdir(options.dataDir, { recursive: true });
      await assertDatabaseFree(options.dataDir);
    }
    const dynamo = dynalite({
      ...(options.dataDir ? { path: options.dataDir } : {}),
      // Tables are ACTIVE at once: nothing waits 500 ms per table as dynalite does by default.
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
    });
    // dynalite has no transactions; grades and their trail entries are written in one (see the module).
    withTransactWriteItems(dynamo);
    const dynamoPort = await listen(dynamo, options.dynamoPort ?? 0, 'dynalite');
    cleanups.push(() => stop(dynamo));
    const dynamoEndpoint = `http://${HOST}:${dynamoPort}`;

    let s3Dir = options.s3Dir;
    if (s3Dir) {
      await mkdir(s3Dir, { recursive: true });
    } else {
      const temporary = await mkdtemp(join(tmpdir(), 'iro-audit-s3-'));
      cleanups.push(() => rm(temporary, { recursive: true, force: true }));
      s3Dir = temporary;
    }
    const s3rver = new S3rver({ address: HOST, silent: true, directory: s3Dir });
    // Serve s3rver's handler from our own server: its run() never rejects on EADDRINUSE, it crashes the process.
    const s3Server = createServer(s3rver.callback());
    const s3Port = await listen(s3Server, options.s3Port ?? 0, 's3rver');
    cleanups.push(async () => {
      await stop(s3Server);
      s3rver.logger.close(); // what s3rver's own run() does when its server closes
    });
    return {
      dynamoEndpoint,
      s3Endpoint: `http://${HOST}:${s3Port}`,
      onObjectEvent: (listener) => void (s3rver as unknown as NodeJS.EventEmitter).on('event', listener),
      close,
    };
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}

function listen(server: Server, port: number, name: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`${name} could not listen on port ${port}: it is already in use (use 0 for any free port)`)
          : error,
      );
    };
    server.once('error', onError);
    server.listen(port, HOST, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function stop(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // SDK clients keep connections alive; idle ones would hold close() open until they time out.
    server.closeIdleConnections();
  });
}

interface LevelDatabase {
  open(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Fails with a plain message when another process holds the LevelDB folder. dynalite opens it
 * lazily and, when the lock is taken, throws from its request handler and takes the process down.
 */
async function assertDatabaseFree(path: string): Promise<void> {
  // dynalite's own LevelDB package, reached through dynalite so the versions match.
  const { Level } = createRequire(createRequire(import.meta.url).resolve('dynalite'))('level') as {
    Level: new (path: string, options: { valueEncoding: string }) => LevelDatabase;
  };
  const database = new Level(path, { valueEncoding: 'json' });
  try {
    await database.open();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    if (cause?.code === 'LEVEL_LOCKED') {
      throw new Error(`the local database in ${path} is in use by another process (is npm start running?)`);
    }
    throw error;
  }
  await database.close();
}
