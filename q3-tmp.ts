import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynaliteChild } from './bench/dynalite-child.ts';
import { createDynamoDocumentClient } from '#config/aws-clients';
import { ensureTable } from '#store/table';
import { DynamoRecordStore } from '#store/dynamo-store';
import { loadFiles } from '#loader/load';
import { processCpuSeconds } from './bench/memory.ts';
const d = await startDynaliteChild(await mkdtemp(join(tmpdir(), 'dq-')));
const config = { region: 'eu-west-2', tableName: `qqq`, bucketName: 'x', dynamoEndpoint: d.dynamoEndpoint };
const client = createDynamoDocumentClient(config);
await ensureTable(client, config.tableName);
const store = new DynamoRecordStore(client, config.tableName);
const timing: Record<string, [number, number]> = {};
for (const m of ['upsertRecords', 'getChildRecords'] as const) {
  const orig = (store as any)[m].bind(store);
  (store as any)[m] = async (...a: any[]) => { const s0 = performance.now(); try { return await orig(...a); } finally { const e = timing[m] ??= [0, 0]; e[0]++; e[1] += performance.now() - s0; } };
}
const t = performance.now(); const c0 = processCpuSeconds(d.pid)!; const u0 = process.cpuUsage();
const r = await loadFiles(store, ['tests/fixtures/ssda903'], { authorityId: 'a1', context: { yearEnding: '2018-03-31' } });
const u = process.cpuUsage(u0); console.log('dynalite cpu s', processCpuSeconds(d.pid)! - c0, 'loader cpu s', (u.user + u.system) / 1e6);
console.log(JSON.stringify(timing)); console.log('ms', Math.round(performance.now() - t), 'errors', r.errorCount);
await d.stop();
