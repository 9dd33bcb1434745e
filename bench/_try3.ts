import { createDynamoDocumentClient } from '#config/aws-clients';
import { localConfig } from '#local/connect';
import { bareParallelScan } from './audit-bench.ts';
import { startDynaliteChild } from './dynalite-child.ts';
const dyn = await startDynaliteChild(process.argv[2]!);
const config = localConfig(dyn.dynamoEndpoint, 'http://127.0.0.1:1');
const client = createDynamoDocumentClient(config);
for (const s of [1, 2, 4, 8]) console.log(s, await bareParallelScan(client, config.tableName, 'bench', s));
await dyn.stop();
