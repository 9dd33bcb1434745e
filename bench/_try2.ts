import { createDynamoDocumentClient } from '#config/aws-clients';
import { localConfig } from '#local/connect';
import { openStores } from '#store/open';
import { REGULATIONS_2010 } from '#domain/timescales';
import { benchAuditInChild } from './audit-bench.ts';
import { startDynaliteChild } from './dynalite-child.ts';
import { readMeta } from './dataset.ts';

const dir = process.argv[2]!;
const meta = (await readMeta(dir))!;
const dyn = await startDynaliteChild(`${dir}/dyn-bulk`);
const config = localConfig(dyn.dynamoEndpoint, 'http://127.0.0.1:1');
createDynamoDocumentClient(config);
const { store } = openStores(config);
await store.putAuthority({ authorityId: 'bench', name: 'Bench', timescales: REGULATIONS_2010 });
const r = await benchAuditInChild({ dynamoEndpoint: dyn.dynamoEndpoint, authorityId: 'bench', period: { from: meta.firstReview, to: meta.asAt }, segments: Number(process.argv[3] ?? 4), outcomesPath: `${dir}/engine-outcomes.tsv` });
console.log(JSON.stringify(r, null, 1));
console.log('dynalite peak', dyn.peakRssMb());
await dyn.stop();
