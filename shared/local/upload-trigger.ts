/**
 * The local stand-in for the bucket's notification to the import function: each object created
 * under `uploads/` runs the same `runUploadedImport` the Lambda runs, one at a time, in this process.
 */
import { runUploadedImport, UPLOAD_PREFIX, type ImportServices } from '#loader/import-jobs';

export class UploadTrigger {
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(
    private readonly svc: ImportServices,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** Queues the import of an uploaded key (other keys are ignored, as the notification's prefix filter does on AWS). */
  notify(key: string): void {
    if (!key.startsWith(UPLOAD_PREFIX)) return;
    this.pending += 1;
    this.queue = this.queue
      .then(async () => {
        const job = await runUploadedImport(this.svc, key);
        if (job && (job.status === 'done' || job.status === 'failed'))
          this.log(`import ${job.importId}: ${job.status}${job.failure ? ` (${job.failure})` : ''}`);
      })
      .catch((error: unknown) => this.log(`import of ${key} could not run: ${(error as Error).message}`))
      .finally(() => {
        this.pending -= 1;
      });
  }

  /** Resolves when every queued import has settled. */
  async idle(): Promise<void> {
    while (this.pending > 0) await this.queue;
  }
}
