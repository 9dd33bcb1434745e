/**
 * "Try again" for what failed, over the real store and bucket (dynalite, s3rver), with really signed
 * tokens, through the API and through the web pages: an audit whose run could not be started, an
 * audit whose publishing could not be started, and an import whose run could not read its files.
 * Each fails for real, through the code that records failures, then runs to the end when tried
 * again; and what may not be tried again is refused, saying why.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { localSigningKey, localVerifier, signDevelopmentToken, type LocalSigningKey } from '#auth/tokens';
import type { Principal, Role } from '#auth/principal';
import type { Professional } from '#domain/records';
import { REGULATIONS_2010 } from '#domain/timescales';
import { createApp } from '#http/app';
import {
  UPLOAD_GRACE_MS,
  importDirectFiles,
  recoverImport,
  runUploadedImport,
  type ImportJob,
  type ImportView,
} from '#loader/import-jobs';
import { startLocalStack } from '#local/stack';
import { InProcessAuditRunner, type AuditRun, type AuditRunner } from '#service/audit-runner';
import type { ServiceContext } from '#service/context';
import { TemplateCatalogue } from '#service/templates';
import type { ObjectLinks } from '#store/object-store';
import { child, episode, involvement, review, toDomainRecords } from '../support/records.ts';
import { freshStorage } from '../support/storage.ts';
import { WebClient, csrfTokenIn, textOf } from '../support/web-client.ts';

const AUTHORITY = 'try-again';
const OTHER = 'try-again-other';
/** Where a clean import of the same files goes, to compare counts with. */
const CLEAN = 'try-again-clean';

/**
 * The runner as a Step Functions client may be: it can refuse to start a run (the service is down),
 * or, held, take runs and start them only when released (a run still going while someone clicks again).
 */
class UnreliableRunner implements AuditRunner {
  private refusal: string | null = null;
  private held: AuditRun[] | null = null;
  constructor(readonly inner: InProcessAuditRunner) {}

  /** The next start fails with this message. */
  refuseNext(message: string): void {
    this.refusal = message;
  }

  hold(): void {
    this.held = [];
  }

  async release(): Promise<void> {
    const runs = this.held ?? [];
    this.held = null;
    for (const run of runs) await this.inner.start(run);
  }

  async start(run: AuditRun): Promise<void> {
    if (this.refusal) {
      const message = this.refusal;
      this.refusal = null;
      throw new Error(message);
    }
    if (this.held) {
      this.held.push(run);
      return;
    }
    await this.inner.start(run);
  }

  idle(): Promise<void> {
    return this.inner.idle();
  }
}

let key: LocalSigningKey;
let app: ReturnType<typeof createApp>;
let ctx: ServiceContext;
let runner: UnreliableRunner;

const IROS: Professional[] = ['IRO1', 'IRO2', 'IRO3'].map((workerId) => ({
  workerId,
  role: 'IRO',
  team: 'IRO Service',
  service: 'Quality Assurance',
}));
const STAFF: Professional[] = [{ workerId: 'SW1', role: 'SW', team: 'North 1', service: 'CiN/CP North' }, ...IROS];

const QA: [Role, string] = ['qa-lead', 'qa-lead-1'];
const SM: [Role, string] = ['senior-manager', 'sm-1'];
const IRO: [Role, string] = ['iro', 'IRO3'];

async function call(method: string, path: string, as: [Role, string] | [Role, string, string], body?: unknown) {
  const headers: Record<string, string> = {
    authorization: `Bearer ${await signDevelopmentToken(key, { userId: as[1], roles: [as[0]], authorityId: as[2] ?? AUTHORITY })}`,
  };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await app.request(path, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    location: response.headers.get('location'),
    body: text ? JSON.parse(text) : null,
  };
}

async function signedIn(role: Role, userId: string): Promise<WebClient> {
  const browser = new WebClient(app);
  const who: Principal = { userId, roles: [role], authorityId: AUTHORITY };
  browser.cookies.set('__Host-iro-session', await signDevelopmentToken(key, who));
  return browser;
}

const LAUNCH = { templateId: 'review-timeliness-participation', from: '2024-01-01', to: '2024-03-31', seed: 7 };
const STARTS_REFUSED = 'Step Functions did not answer (ServiceUnavailable)';

/** An audit launched while the runner refused to start it: failed, with the reason. */
async function auditThatCouldNotStart(): Promise<string> {
  runner.refuseNext(STARTS_REFUSED);
  const launched = await call('POST', '/audits', QA, LAUNCH);
  expect(launched.status).toBe(201);
  expect(launched.body.status).toBe('failed');
  return launched.body.auditId as string;
}

/** An audit launched, run to grading, then closed while the runner refused to start its publishing. */
async function auditWhosePublishingFailed(): Promise<string> {
  const launched = await call('POST', '/audits', QA, LAUNCH);
  await runner.idle();
  const auditId = launched.body.auditId as string;
  expect((await call('GET', `/audits/${auditId}`, QA)).body.status).toBe('grading');
  runner.refuseNext(STARTS_REFUSED);
  const closed = await call('POST', `/audits/${auditId}/close`, QA);
  expect(closed.body).toMatchObject({
    status: 'failed',
    failure: { reason: `the run could not be started: ${STARTS_REFUSED}` },
  });
  expect(closed.body.closedAt).not.toBeNull();
  return auditId;
}

// Two children of a 2022-23 return (the web import test's files): 6 rows accepted, 1 rejected (DfE rule 166).
const FILES = [
  {
    fileName: 'header.csv',
    body: 'CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nI1,1,14/03/2012,WBRI,A123456789012,,\nI2,2,01/09/2015,WBRI,A123456789013,0,\n',
  },
  {
    fileName: 'episodes.csv',
    body:
      'CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n' +
      'I1,10/01/2023,S,C2,N1,U1,PR1,,,,AB1 2CD,AB3 4EF,SC123456\nI2,10/01/2023,S,C2,N1,U1,PR1,,,,AB1 2CD,AB3 4EF,SC123456\n',
  },
  {
    fileName: 'reviews.csv',
    body: 'CHILD,DOB,REVIEW,REVIEW_CODE\nI1,14/03/2012,01/02/2023,PN1\nI2,01/09/2015,01/02/2023,PN1\nI2,01/09/2015,31/02/2023,PN1\n',
  },
];

/** The bucket as the importer sees it when the bucket does not answer: every file read fails. */
function unreachableBucket(objects: ObjectLinks = ctx.links): ObjectLinks {
  return Object.assign(Object.create(objects) as ObjectLinks, {
    getStream: async () => {
      throw new Error('the bucket did not answer (socket hang up)');
    },
  });
}

/**
 * Starts an import through the API (upload links), puts each file where its link points, and runs
 * each upload's notification as the bucket would: with `links` the importer reads through.
 */
async function uploadedImport(
  as: [Role, string] | [Role, string, string],
  links: ObjectLinks = ctx.links,
  files = FILES,
): Promise<string> {
  const created = await call('POST', '/imports', as, {
    files: files.map((f) => ({ fileName: f.fileName, contentType: 'text/csv' })),
  });
  expect(created.status).toBe(201);
  for (const upload of created.body.uploads as { fileName: string; key: string }[]) {
    await ctx.objects.put(upload.key, files.find((f) => f.fileName === upload.fileName)!.body, 'text/csv');
    await runUploadedImport({ ...ctx, links }, upload.key);
  }
  return created.body.importId as string;
}

/** Each file of an import that has just been tried again lands by a copy; its notification runs it, as an upload's does. */
async function copiesArrive(importId: string): Promise<ImportJob> {
  const pending = (await call('GET', `/imports/${importId}`, QA)).body as ImportView;
  let last: ImportJob | null = null;
  for (const file of pending.files) {
    expect(await ctx.objects.get(file.key)).not.toBeNull();
    last = await runUploadedImport(ctx, file.key);
  }
  return last!;
}

/** What an import did with its rows, without when, who or which keys. */
const countsOf = (job: ImportJob) => ({
  files: job.files.map(({ fileName, format, rows, accepted, warned, rejected, created, updated, unchanged }) => ({
    fileName,
    format,
    rows,
    accepted,
    warned,
    rejected,
    created,
    updated,
    unchanged,
  })),
  tables: job.tables,
  errorCount: job.errorCount,
  warningCount: job.warningCount,
  rules: job.rules,
  collectionYear: job.collectionYear,
});

beforeAll(async () => {
  const { store, objects } = await freshStorage('tryagain');
  key = await localSigningKey(join(await mkdtemp(join(tmpdir(), 'try-again-key-')), 'key.json'));
  runner = new UnreliableRunner(new InProcessAuditRunner({ store, objects }));
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
    signIn: { kind: 'local', key, authorityId: AUTHORITY },
  });
  for (const authorityId of [AUTHORITY, OTHER, CLEAN]) {
    await store.putAuthority({ authorityId, name: `${authorityId} Borough`, timescales: REGULATIONS_2010 });
    await store.upsertRecords(
      authorityId,
      STAFF.map((record) => ({ kind: 'professional' as const, record })),
    );
  }
  // Eight children looked after from 3 January 2024, each reviewed by IRO1 or IRO2; IRO3 chairs nobody's reviews.
  for (let i = 0; i < 8; i++) {
    const id = `T${i}`;
    const own = i < 4 ? 'IRO1' : 'IRO2';
    await store.upsertRecords(
      AUTHORITY,
      toDomainRecords(
        child(id, '2012-01-01', {
          episodes: [episode(id, '2024-01-03')],
          reviews: [review(id, '2024-01-29', { iroId: own })],
          involvements: [involvement(id, 'SW1', 'SW', '2024-01-03'), involvement(id, own, 'IRO', '2024-01-03')],
        }),
      ),
    );
  }
});

describe('POST /audits/{id}/try-again', () => {
  it('runs an audit whose run could not be started to grading, keeping its seed, and the trail says who tried again and why it had failed', async () => {
    const auditId = await auditThatCouldNotStart();
    const failed = await call('GET', `/audits/${auditId}`, QA);
    expect(failed.body.failure.reason).toBe(`the audit could not be started: ${STARTS_REFUSED}`);

    const tried = await call('POST', `/audits/${auditId}/try-again`, QA);
    expect(tried.status).toBe(202);
    expect(tried.location).toBe(`/audits/${auditId}`);
    expect(tried.body).toMatchObject({ auditId, failure: null, seed: 7 });
    expect(['draft', 'grading']).toContain(tried.body.status);
    await runner.idle();

    const now = (await call('GET', `/audits/${auditId}`, QA)).body;
    expect(now).toMatchObject({ status: 'grading', population: 8, sampleSize: expect.any(Number), failure: null });
    expect(now.grading.records).toBe(now.sampleSize);
    const trail = (await call('GET', `/audits/${auditId}/history`, QA)).body.entries as {
      actor: string;
      action: string;
      details: Record<string, unknown>;
    }[];
    expect(trail.find((t) => t.action === 'try-again')).toMatchObject({
      actor: 'qa-lead-1',
      details: { from: 'failed', publishing: false, reason: `the audit could not be started: ${STARTS_REFUSED}` },
    });
  });

  it('publishes an audit whose publishing failed, from the grades it was closed with: the same "try again" does what the audit’s state needs', async () => {
    const auditId = await auditWhosePublishingFailed();
    const tried = await call('POST', `/audits/${auditId}/try-again`, QA);
    expect(tried.status).toBe(202);
    expect(['closed', 'published']).toContain(tried.body.status);
    await runner.idle();
    const now = (await call('GET', `/audits/${auditId}`, QA)).body;
    expect(now.status).toBe('published');
    expect((await call('GET', `/audits/${auditId}/findings`, SM)).status).toBe(200);
    const trail = (await call('GET', `/audits/${auditId}/history`, QA)).body.entries as {
      action: string;
      details: Record<string, unknown>;
    }[];
    expect(trail.find((t) => t.action === 'try-again')?.details).toMatchObject({ from: 'failed', publishing: true });

    // Published findings are final: nothing to try again, and the refusal says why.
    const again = await call('POST', `/audits/${auditId}/try-again`, QA);
    expect(again.status).toBe(409);
    expect(again.type).toContain('application/problem+json');
    expect(again.body.detail).toBe(
      'the audit has not failed: it is published. Only a failed run or a failed publication can be tried again',
    );
  });

  it('refuses, with 409 saying why, an audit that has not failed, and one whose run tried again is still going', async () => {
    const grading = (await call('POST', '/audits', QA, LAUNCH)).body.auditId as string;
    await runner.idle();
    const refused = await call('POST', `/audits/${grading}/try-again`, QA);
    expect(refused.status).toBe(409);
    expect(refused.type).toContain('application/problem+json');
    expect(refused.body.detail).toBe(
      'the audit has not failed: it is grading. Only a failed run or a failed publication can be tried again',
    );
    expect((await call('GET', `/audits/${grading}`, QA)).body.status).toBe('grading');

    // A second click while the first retry's run is going starts no second run.
    const failed = await auditThatCouldNotStart();
    runner.hold();
    expect((await call('POST', `/audits/${failed}/try-again`, QA)).status).toBe(202);
    const twice = await call('POST', `/audits/${failed}/try-again`, QA);
    await runner.release();
    await runner.idle();
    expect(twice.status).toBe(409);
    expect(twice.body.detail).toBe(`audit ${failed} is being run now: there is nothing to try again`);
    expect((await call('GET', `/audits/${failed}`, QA)).body.status).toBe('grading');
  });

  it('is for QA leads of the audit’s own authority: 403 for senior managers and IROs, 404 for another authority, 404 for no such audit', async () => {
    const auditId = await auditThatCouldNotStart();
    for (const who of [SM, IRO]) {
      const refused = await call('POST', `/audits/${auditId}/try-again`, who);
      expect(refused.status).toBe(403);
      expect(refused.type).toContain('application/problem+json');
    }
    expect((await call('POST', `/audits/${auditId}/try-again`, ['qa-lead', 'qa-other', OTHER])).status).toBe(404);
    expect((await call('POST', '/audits/no-such-audit/try-again', QA)).status).toBe(404);
    const badId = await call('POST', '/audits/..%2Fx/try-again', QA);
    expect(badId.status).toBe(400);
    expect(badId.body.errors).toEqual([{ field: 'id', message: 'not an audit id' }]);
    // Still failed: nobody's refused attempt changed it.
    expect((await call('GET', `/audits/${auditId}`, QA)).body.status).toBe('failed');
  });

  it('is described in the OpenAPI document, beside closing again for a failed publishing', async () => {
    type Operation = { responses: Record<string, unknown>; description?: string };
    const { paths } = (await (await app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    expect(Object.keys(paths['/audits/{id}/try-again']!)).toEqual(['post']);
    expect(Object.keys(paths['/audits/{id}/try-again']!.post!.responses).sort()).toEqual([
      '202',
      '400',
      '401',
      '403',
      '404',
      '409',
    ]);
    expect(paths['/audits/{id}/try-again']!.post!.description).toContain('failed publishing');
    expect(Object.keys(paths['/imports/{id}/try-again']!.post!.responses).sort()).toEqual([
      '201',
      '400',
      '401',
      '403',
      '404',
      '409',
    ]);
  });
});

describe('POST /imports/{id}/try-again', () => {
  let failedId = '';
  let retryId = '';

  it('starts a new import over the failed one’s files, which finishes with the same counts as a clean import of those files', async () => {
    failedId = await uploadedImport(QA, unreachableBucket());
    const failed = (await call('GET', `/imports/${failedId}`, QA)).body as ImportView;
    expect(failed).toMatchObject({
      status: 'failed',
      failure: expect.stringContaining('socket hang up'),
      retriedAs: null,
    });

    const tried = await call('POST', `/imports/${failedId}/try-again`, QA);
    expect(tried.status).toBe(201);
    retryId = tried.body.importId;
    expect(retryId).not.toBe(failedId);
    expect(tried.location).toBe(`/imports/${retryId}`);
    expect(tried.body).toMatchObject({ status: 'pending', retryOf: failedId, requestedBy: 'qa-lead-1' });
    expect((tried.body as ImportView).files.map((f) => f.fileName)).toEqual(FILES.map((f) => f.fileName));

    const done = await copiesArrive(retryId);
    expect(done.status).toBe('done');
    const cleanId = await uploadedImport(['qa-lead', 'qa-clean', CLEAN]);
    const clean = (await call('GET', `/imports/${cleanId}`, ['qa-lead', 'qa-clean', CLEAN])).body as ImportView;
    expect(clean.status).toBe('done');
    const retried = (await call('GET', `/imports/${retryId}`, QA)).body as ImportView;
    expect(countsOf(retried)).toEqual(countsOf(clean));
    expect(retried.files.reduce((n, f) => n + f.accepted, 0)).toBe(6);
    expect(retried.files.reduce((n, f) => n + f.rejected, 0)).toBe(1);

    // The failed import is kept as it was, linked to the new one, and its trail says who tried again.
    const kept = (await call('GET', `/imports/${failedId}`, QA)).body as ImportView;
    expect(kept).toMatchObject({ status: 'failed', failure: failed.failure, retriedAs: retryId });
    expect(kept.trail.at(-1)).toMatchObject({
      actor: 'qa-lead-1',
      action: 'try-again',
      detail: `as import ${retryId}`,
    });
  });

  it('refuses to try the same import again twice, naming the import it was tried again as', async () => {
    const twice = await call('POST', `/imports/${failedId}/try-again`, QA);
    expect(twice.status).toBe(409);
    expect(twice.type).toContain('application/problem+json');
    expect(twice.body.detail).toBe(
      `import ${failedId} has already been tried again, as import ${retryId}: if that one fails too, try that one again`,
    );
    expect(twice.body.retriedAs).toBe(retryId);
  });

  it('refuses an import that has not failed, and one whose files never all arrived, saying why', async () => {
    const done = await call('POST', `/imports/${retryId}/try-again`, QA);
    expect(done.status).toBe(409);
    expect(done.body.detail).toBe(
      `import ${retryId} has not failed: it is done. Only a failed import can be tried again`,
    );

    // Two files named, one uploaded; once the links (and the grace after them) have run out, recovery marks it failed.
    const created = await call('POST', '/imports', QA, {
      files: [
        { fileName: 'header.csv', contentType: 'text/csv' },
        { fileName: 'reviews.csv', contentType: 'text/csv' },
      ],
    });
    const header = (created.body.uploads as { fileName: string; key: string }[]).find(
      (u) => u.fileName === 'header.csv',
    )!;
    await ctx.objects.put(header.key, FILES[0]!.body, 'text/csv');
    await runUploadedImport(ctx, header.key);
    const waiting = await call('POST', `/imports/${created.body.importId}/try-again`, QA);
    expect(waiting.status).toBe(409);
    expect(waiting.body.detail).toBe(
      `import ${created.body.importId} has not failed: it is still waiting for its files. Only a failed import can be tried again`,
    );
    const recovered = await recoverImport(ctx, AUTHORITY, created.body.importId, {
      now: () => new Date(Date.now() + 15 * 60_000 + UPLOAD_GRACE_MS + 60_000),
    });
    expect(recovered.outcome).toBe('failed');
    const missing = await call('POST', `/imports/${created.body.importId}/try-again`, QA);
    expect(missing.status).toBe(409);
    expect(missing.body.detail).toBe(
      `import ${created.body.importId} cannot be tried again: not every file arrived (missing reviews.csv), so there is nothing to run it over. Start a new import with all the files`,
    );
  });

  it('on the local stack, the copies start the new import by themselves, as the bucket’s notification does on AWS', async () => {
    const stack = await startLocalStack({
      dataDir: await mkdtemp(join(tmpdir(), 'try-again-stack-')),
      port: 0,
      demo: false,
      recoverEveryMs: 0,
    });
    try {
      await stack.store.putAuthority({
        authorityId: AUTHORITY,
        name: 'Try Again Borough',
        timescales: REGULATIONS_2010,
      });
      // Files sent at once (the web form's way) while the bucket would not be read: the import fails.
      const failed = await importDirectFiles(
        {
          store: stack.store,
          objects: stack.objects,
          links: unreachableBucket(stack.objects as unknown as ObjectLinks /* the S3 adapter is both */),
        },
        {
          authorityId: AUTHORITY,
          requestedBy: 'qa-lead-1',
          files: FILES.map((f) => ({
            fileName: f.fileName,
            contentType: 'text/csv' as const,
            body: new TextEncoder().encode(f.body),
          })),
        },
      );
      expect(failed.status).toBe('failed');
      const token = await signDevelopmentToken(stack.signingKey, {
        userId: 'qa-lead-1',
        roles: ['qa-lead'],
        authorityId: AUTHORITY,
      });
      const tried = await fetch(`${stack.url}/imports/${failed.importId}/try-again`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(tried.status).toBe(201);
      const location = tried.headers.get('location')!;
      await stack.imports.idle();
      const done = (await (
        await fetch(`${stack.url}${location}`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as ImportView;
      expect(done).toMatchObject({ status: 'done', retryOf: failed.importId });
      expect(done.files.reduce((n, f) => n + f.accepted, 0)).toBe(6);
    } finally {
      await stack.close();
    }
  });

  it('is for QA leads of the import’s own authority: 403 for senior managers and IROs, 404 for another authority', async () => {
    const failed = await uploadedImport(QA, unreachableBucket(), FILES.slice(0, 1));
    for (const who of [SM, IRO]) {
      const refused = await call('POST', `/imports/${failed}/try-again`, who);
      expect(refused.status).toBe(403);
      expect(refused.body.detail).toBe('imports are for QA leads');
    }
    expect((await call('POST', `/imports/${failed}/try-again`, ['qa-lead', 'qa-other', OTHER])).status).toBe(404);
    expect((await call('POST', '/imports/no-such-import/try-again', QA)).status).toBe(404);
    expect((await call('GET', `/imports/${failed}`, QA)).body).toMatchObject({ status: 'failed', retriedAs: null });
  });
});

describe('"Try again" on the web pages', () => {
  it('offers a QA lead "Try again" under the reason a run failed, and the audit runs again to grading', async () => {
    const auditId = await auditThatCouldNotStart();
    const browser = await signedIn('qa-lead', 'qa-lead-1');
    const page = await browser.get(`/app/audits/${auditId}`);
    expect(page.status).toBe(200);
    const words = textOf(page.html);
    expect(words).toContain(`The audit could not run: the audit could not be started: ${STARTS_REFUSED}.`);
    // The reason comes first, then the button.
    expect(words.indexOf('The audit could not run')).toBeLessThan(words.indexOf('Try again'));
    expect(page.html).toContain(`action="/app/audits/${auditId}/try-again"`);

    const posted = await browser.submit(`/app/audits/${auditId}`, `/app/audits/${auditId}/try-again`, {});
    expect(posted.status).toBe(303);
    expect(posted.location).toBe(`/app/audits/${auditId}?done=tried-again`);
    const after = await browser.get(posted.location!);
    expect(textOf(after.html)).toContain('The audit is being tried again. It carries on from where it stopped');
    await runner.idle();
    const settled = await browser.get(`/app/audits/${auditId}`);
    expect(textOf(settled.html)).toMatch(/Status Grading/);
    expect(settled.html).not.toContain('/try-again"');
  });

  it('offers "Try again" when the findings could not be published, and they are published', async () => {
    const auditId = await auditWhosePublishingFailed();
    const browser = await signedIn('qa-lead', 'qa-lead-1');
    const page = await browser.get(`/app/audits/${auditId}`);
    expect(textOf(page.html)).toContain(
      `The findings could not be published: the run could not be started: ${STARTS_REFUSED}. The grades and the action plan are kept.`,
    );
    expect(page.html).toContain(`action="/app/audits/${auditId}/try-again"`);
    const posted = await browser.submit(`/app/audits/${auditId}`, `/app/audits/${auditId}/try-again`, {});
    expect(posted.status).toBe(303);
    await runner.idle();
    expect(textOf((await browser.get(`/app/audits/${auditId}`)).html)).toMatch(/Status Published/);
  });

  it('shows no "Try again" on an audit that has not failed, nor to anyone but a QA lead, and refuses the form from them', async () => {
    const grading = (await call('POST', '/audits', QA, LAUNCH)).body.auditId as string;
    await runner.idle();
    const qa = await signedIn('qa-lead', 'qa-lead-1');
    const page = await qa.get(`/app/audits/${grading}`);
    expect(page.status).toBe(200);
    expect(page.html).not.toContain('/try-again"');
    const refused = await qa.submit(`/app/audits/${grading}`, `/app/audits/${grading}/try-again`, {});
    expect(refused.status).toBe(409);
    expect(textOf(refused.html)).toContain('The audit has not failed: it is grading.');

    const failed = await auditThatCouldNotStart();
    // A senior manager does not see an unpublished audit at all; an IRO may not open the page.
    const sm = await signedIn('senior-manager', 'sm-1');
    expect((await sm.get(`/app/audits/${failed}`)).status).toBe(404);
    const iro = await signedIn('iro', 'IRO3');
    expect((await iro.get(`/app/audits/${failed}`)).status).toBe(403);
    for (const browser of [sm, iro]) {
      // With this browser's CSRF token: refused for the role, not for the form.
      const posted = await browser.submit('/app', `/app/audits/${failed}/try-again`, {});
      expect(posted.status).toBe(403);
      expect(textOf(posted.html)).toContain('This page is for QA leads');
    }
    expect((await call('GET', `/audits/${failed}`, QA)).body.status).toBe('failed');
  });

  it('offers "Try again" on a failed import’s page and in the list, starts the new import and links the two', async () => {
    const failedId = await uploadedImport(QA, unreachableBucket());
    const browser = await signedIn('qa-lead', 'qa-lead-1');
    const report = await browser.get(`/app/imports/${failedId}`);
    const words = textOf(report.html);
    // The importer's own words for the fault, then its cause.
    expect(words).toMatch(/The import could not finish: .*?the bucket did not answer \(socket hang up\)\./);
    expect(words.indexOf('The import could not finish')).toBeLessThan(words.indexOf('Try again'));
    expect(report.html).toContain(`action="/app/imports/${failedId}/try-again"`);
    const list = await browser.get('/app/imports');
    expect(list.html).toContain(`action="/app/imports/${failedId}/try-again"`);

    // From the list, as a QA lead scanning it would.
    const posted = await browser.submit('/app/imports', `/app/imports/${failedId}/try-again`, {});
    expect(posted.status).toBe(303);
    const retryId = /^\/app\/imports\/([A-Za-z0-9._-]+)\?done=tried-again$/.exec(posted.location ?? '')?.[1];
    expect(retryId).toBeDefined();
    const started = textOf((await browser.get(posted.location!)).html);
    expect(started).toContain(`The import is being tried again, over the same files as import ${failedId}.`);
    expect(started).toContain(`Tries again import ${failedId}`);
    expect(started).toContain(`The import starts when every file has been copied from import ${failedId}`);

    expect((await copiesArrive(retryId!)).status).toBe('done');
    expect(textOf((await browser.get(`/app/imports/${retryId}`)).html)).toContain('Rows accepted 6');
    // The failed one now links to the new one, and offers no second try.
    const kept = await browser.get(`/app/imports/${failedId}`);
    expect(textOf(kept.html)).toContain(`Tried again as import ${retryId}`);
    expect(kept.html).toContain(
      `It has been tried again as <a class="govuk-link" href="/app/imports/${retryId}">import ${retryId}</a>.`,
    );
    expect(kept.html).not.toContain('/try-again"');
    expect((await browser.get('/app/imports')).html).not.toContain(`action="/app/imports/${failedId}/try-again"`);
    // A form sent from a page opened before (another tab) is refused, naming the new import.
    const again = await browser.submit('/app/imports', `/app/imports/${failedId}/try-again`, {});
    expect(again.status).toBe(409);
    expect(textOf(again.html)).toContain(`has already been tried again, as import ${retryId}`);
  });

  it('offers no "Try again" for an import whose files never all arrived, and none to anyone but a QA lead', async () => {
    const created = await call('POST', '/imports', QA, {
      files: [
        { fileName: 'header.csv', contentType: 'text/csv' },
        { fileName: 'reviews.csv', contentType: 'text/csv' },
      ],
    });
    const importId = created.body.importId as string;
    await recoverImport(ctx, AUTHORITY, importId, {
      now: () => new Date(Date.now() + 15 * 60_000 + UPLOAD_GRACE_MS + 60_000),
    });
    const qa = await signedIn('qa-lead', 'qa-lead-1');
    const report = await qa.get(`/app/imports/${importId}`);
    expect(textOf(report.html)).toContain(
      'The import could not finish: not every file arrived before the upload links expired',
    );
    expect(report.html).not.toContain('/try-again"');

    const failed = await uploadedImport(QA, unreachableBucket(), FILES.slice(0, 1));
    for (const [role, userId] of [SM, IRO]) {
      const browser = await signedIn(role, userId);
      expect((await browser.get(`/app/imports/${failed}`)).status).toBe(403);
      const posted = await browser.submit('/app', `/app/imports/${failed}/try-again`, {});
      expect(posted.status).toBe(403);
      expect(textOf(posted.html)).toContain('Imports are for QA leads');
    }
    expect((await call('GET', `/imports/${failed}`, QA)).body.retriedAs).toBeNull();
  });
});
