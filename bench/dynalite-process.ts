/** Child-process entry: serves one on-disk dynalite (via startLocalServers) until the parent says stop or goes away. */
import { startLocalServers } from '#local/servers';

// The data folder comes from the parent; without it there is nothing to serve.
const dataDir = process.argv[2];
if (!dataDir || !process.send) {
  console.error('dynalite-process: run by bench/dynalite-child.ts with an IPC channel and a data folder');
  process.exit(2);
}

const servers = await startLocalServers({ dataDir });
let closing = false;
const stop = async (code: number) => {
  if (closing) return;
  closing = true;
  // close() waits for LevelDB to close, so data kept with --keep is complete on disk.
  await servers.close().catch((error: unknown) => console.error(`dynalite-process: ${(error as Error).message}`));
  process.exit(code);
};

process.on('message', (message) => {
  if (message === 'stop') void stop(0);
});
// The parent died or dropped the channel: never linger as an orphan holding the LevelDB lock.
process.on('disconnect', () => void stop(1));
process.send({ dynamoEndpoint: servers.dynamoEndpoint, s3Endpoint: servers.s3Endpoint });
