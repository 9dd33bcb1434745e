/** Minimal typings for the two local servers: neither dynalite 4 nor s3rver 3 ships its own. */

declare module 'dynalite' {
  import type { Server } from 'node:http';

  export interface DynaliteOptions {
    /** LevelDB folder; in memory when absent. LevelDB locks it: one process at a time. */
    path?: string;
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    maxItemSizeKb?: number;
    verbose?: boolean;
    debug?: boolean;
    ssl?: boolean;
  }

  /** Returns a plain http.Server whose close() also closes the database. */
  export default function dynalite(options?: DynaliteOptions): Server;
}

declare module 's3rver' {
  import type { RequestListener } from 'node:http';
  import type { AddressInfo } from 'node:net';

  export interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    /** Where buckets and objects are kept, as plain files. */
    directory: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    vhostBuckets?: boolean;
    serviceEndpoint?: string;
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  }

  export default class S3rver {
    constructor(options: S3rverOptions);
    /** A winston logger, set up by the constructor. */
    readonly logger: { close(): void };
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
    /** The Koa request handler, for serving s3rver from an http.Server of our own. */
    callback(): RequestListener;
    configureBuckets(): Promise<void>;
    reset(): void;
  }
}
