/**
 * One return, three ways in: the web import page, the API's upload links (the bucket's notification
 * starting the import, as on AWS), and `npm run import` in its own process over its own local data.
 * Each must give the same report: the collection year and how it was known, the counts per file and
 * per table, the problems per rule and severity, and the same problems file, line for line.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { localSigningKey, localVerifier, signDevelopmentToken, type LocalSigningKey } from '#auth/tokens';
import type { Principal } from '#auth/principal';
import { REGULATIONS_2010 } from '#domain/timescales';
import { createApp } from '#http/app';
import { runUploadedImport, type ImportView } from '#loader/import-jobs';
import type { LoadReport } from '#loader/load';
import { InProcessAuditRunner } from '#service/audit-runner';
import type { ServiceContext } from '#service/context';
import { TemplateCatalogue } from '#service/templates';
import { freshStorage } from '../support/storage.ts';
import { WebClient, csrfTokenIn, textOf } from '../support/web-client.ts';

const RETURN_2025_26 = join(process.cwd(), 'tests', 'fixtures', 'return-2025-26');
const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
let key: LocalSigningKey;
let app: ReturnType<typeof createApp>;
let ctx: ServiceContext;
let files: { name: string; body: string }[];

/** This year's return with a few faults a council's return has: a child with last year's sex code, a child with a broken episode and what hangs on it, a bad review date. */
async function returnWithFaults(): Promise<{ name: string; body: string }[]> {
  const names = (await readdir(RETURN_2025_26)).filter((n) => n.endsWith('.csv')).sort();
  const text = Object.fromEntries(
    await Promise.all(names.map(async (n) => [n, await readFile(join(RETURN_2025_26, n), 'utf8')] as const)),
  );
  text['header.csv'] += 'C106,2,05/05/2013,WBRI,D123456789012,0,\nC107,M,09/09/2014,WBRI,E123456789012,,\n';
  text['episodes.csv'] +=
    'C107,01/05/2025,S,C2,N1,U4,PR1,01/08/2025,X1,CARPL,SE1 7PB,SE5 8AF,SC111111\nC107,01/08/2025,P,C9,N1,U6,PR1,,,,SE1 7PB,SE22 8HH,SC222222\n';
  text['reviews.csv'] +=
    'C107,09/09/2014,20/05/2025,PN1\nC107,09/09/2014,14/11/2025,PN1\nC101,14/06/2012,31/11/2025,PN1\n';
  return names.map((name) => ({ name, body: text[name]! }));
}

beforeAll(async () => {
  files = await returnWithFaults();
  const { store, objects } = await freshStorage('parity');
  key = await localSigningKey(join(await mkdtemp(join(tmpdir(), 'parity-key-')), 'key.json'));
  const runner = new InProcessAuditRunner({ store, objects });
  const templates = new TemplateCatalogue(store);
  ctx = { store, objects, links: objects, runner, templates };
  app = createApp({
    store,
    objects,
    links: objects,
    verifier: localVerifier(key),
    runner,
    templates,
    imports: { enabled: true },
    signIn: { kind: 'local', key, authorityId: 'parity-web' },
  });
  for (const authorityId of ['parity-web', 'parity-api'])
    await store.putAuthority({ authorityId, name: 'Parity Borough', timescales: REGULATIONS_2010 });
});

/** What every way in must agree on. */
function essentials(
  report: Pick<LoadReport, 'year' | 'rules' | 'errorCount' | 'warningCount'> & {
    files: { rows: number; accepted: number; rejected: number; warned: number; tables: object }[];
  },
) {
  return {
    year: report.year,
    files: report.files.map((f) => ({
      rows: f.rows,
      accepted: f.accepted,
      rejected: f.rejected,
      warned: f.warned,
      tables: f.tables,
    })),
    rules: report.rules,
    errorCount: report.errorCount,
    warningCount: report.warningCount,
  };
}

describe('the same report whichever way a return comes in', () => {
  it('gives the web page, the API and the command line the same year, counts, problems per rule and problems file', async () => {
    // The web page: one multipart form.
    const browser = new WebClient(app);
    const qa: Principal = { userId: 'qa-lead-1', roles: ['qa-lead'], authorityId: 'parity-web' };
    browser.cookies.set('__Host-iro-session', await signDevelopmentToken(key, qa));
    const form = await browser.get('/app/imports');
    const posted = await browser.postFiles(
      '/app/imports',
      { csrf_token: csrfTokenIn(form.html) },
      files.map((f) => ({ name: f.name, body: f.body })),
    );
    expect(posted.status).toBe(303);
    const reportPath = posted.headers.get('location')!.replace(/\?.*$/, '');
    const webId = reportPath.split('/').pop()!;
    const page = await browser.get(reportPath);
    const web = (await (
      await app.request(`/imports/${webId}`, {
        headers: { authorization: `Bearer ${await signDevelopmentToken(key, qa)}` },
      })
    ).json()) as ImportView;

    // The API: upload links, each upload starting the import as the bucket's notification does.
    const apiQa: Principal = { ...qa, authorityId: 'parity-api' };
    const auth = { authorization: `Bearer ${await signDevelopmentToken(key, apiQa)}` };
    const created = (await (
      await app.request('/imports', {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ files: files.map((f) => ({ fileName: f.name, contentType: 'text/csv' })) }),
      })
    ).json()) as { importId: string; uploads: { key: string; url: string }[] };
    for (const [i, upload] of created.uploads.entries()) {
      expect(
        (await fetch(upload.url, { method: 'PUT', body: files[i]!.body, headers: { 'content-type': 'text/csv' } }))
          .status,
      ).toBe(200);
      await runUploadedImport(ctx, upload.key);
    }
    const api = (await (await app.request(`/imports/${created.importId}`, { headers: auth })).json()) as ImportView;
    expect(api.status).toBe('done');

    // The command line, in its own process over its own local data.
    const folder = await mkdtemp(join(tmpdir(), 'parity-files-'));
    for (const f of files) await writeFile(join(folder, f.name), f.body);
    const errorsCsv = join(folder, 'problems.csv');
    const cli = spawnSync(
      tsx,
      ['shared/cli/import.ts', '--authority', 'parity-cli', '--json', '--errors-csv', errorsCsv, folder],
      {
        env: { ...process.env, IRO_DATA_DIR: await mkdtemp(join(tmpdir(), 'parity-data-')), NODE_NO_WARNINGS: '1' },
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(cli.status, cli.stderr).toBe(2);
    const cliReport = JSON.parse(cli.stdout) as LoadReport;

    // The return holds faults of each kind: they must be there to be compared.
    expect(web.collectionYear).toEqual({
      year: '2025-26',
      how: 'inferred',
      reason: 'the latest episode date in the return is 18 February 2026 (DEC in episodes.csv)',
      rulesOf: '2025-26',
    });
    expect(web.rules.map((r) => `${r.rule}:${r.severity}`)).toEqual(
      expect.arrayContaining(['YEAR:rejected', '144:rejected', '144:not imported', '166:rejected', '232:warning']),
    );
    const fromJob = (job: ImportView) => essentials({ ...job, year: job.collectionYear });
    expect(fromJob(api)).toEqual(fromJob(web));
    expect(essentials(cliReport)).toEqual(fromJob(web));

    // The problems file, line for line.
    const webCsv = await (await fetch(web.errorsCsv!.url)).text();
    const apiCsv = await (await fetch(api.errorsCsv!.url)).text();
    expect(apiCsv).toBe(webCsv);
    expect(await readFile(errorsCsv, 'utf8')).toBe(webCsv);

    // The page shows the same problems per rule, most rows first.
    const byRule = textOf(
      page.html.slice(
        page.html.indexOf('>Problems by rule</caption>'),
        page.html.indexOf('</table>', page.html.indexOf('>Problems by rule</caption>')),
      ),
    );
    const outcome = { rejected: 'Rejected', warning: 'Warning', 'not imported': 'Held back' } as const;
    let at = 0;
    for (const rule of web.rules) {
      const found = byRule.indexOf(`${rule.rule} `, at);
      expect(found, `${rule.rule} ${rule.severity}`).toBeGreaterThanOrEqual(0);
      expect(byRule.slice(found).replace(/\s+/g, ' ')).toMatch(
        new RegExp(`^${rule.rule} .*? ${outcome[rule.severity]} ${rule.rows} `),
      );
      at = found + 1;
    }
  }, 180_000);
});
