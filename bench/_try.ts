import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createDynamoDocumentClient } from '#config/aws-clients';
import { localConfig } from '#local/connect';
import { openStores } from '#store/open';
import { ensureTable } from '#store/table';
import { auditFiles, calibrate, prepareDataset } from './dataset.ts';
import { startDynaliteChild } from './dynalite-child.ts';
import { bulkLoad, loadWithProductLoader } from './load.ts';

const dataDir = '/tmp/scratch/bench-data';
const ds = await prepareDataset(dataDir, Number(process.argv[2] ?? 10000), () => calibrate(dataDir), console.log);
const { paths, rows } = auditFiles(ds);
console.log('rows to load', rows);
for (const kind of (process.argv[3] ?? 'product,bulk').split(',') as ('product' | 'bulk')[]) {
  const dir = join(ds.dir, `dyn-${kind}`);
  await rm(dir, { recursive: true, force: true });
  const dyn = await startDynaliteChild(dir);
  const config = localConfig(dyn.dynamoEndpoint, 'http://127.0.0.1:1');
  const client = createDynamoDocumentClient(config);
  await ensureTable(client, config.tableName);
  const { store } = openStores(config);
  const cpu0 = process.cpuUsage(); const r = kind === 'product' ? await loadWithProductLoader(store, paths, 'bench', () => {}) : await bulkLoad(client, config.tableName, store, paths, 'bench', () => {});
  const cpu = process.cpuUsage(cpu0); const st = (await import('node:fs')).readFileSync(`/proc/${dyn.pid}/stat`, 'utf8').split(') ')[1]!.split(' '); console.log('main cpu s', ((cpu.user + cpu.system) / 1e6).toFixed(1), 'dynalite cpu s', ((Number(st[11]) + Number(st[12])) / 100).toFixed(1)); console.log(kind, r.rows, r.seconds.toFixed(1), 's', Math.round(r.rows / r.seconds), 'rows/s', 'dynalite peak', dyn.peakRssMb()?.toFixed(0));
  await dyn.stop();
}
