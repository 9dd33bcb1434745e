/** Publishing findings to a real s3rver: every file byte for byte as the manifest says, the manifest last, none after a failed put. */
import { createHash, randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { FindingsDocument } from '#engine/findings-model';
import { createS3Client } from '#config/aws-clients';
import type { StoreConfig } from '#config/config';
import { S3ObjectStore, ensureBucket, type ObjectStore } from '#store/object-store';
import {
  AlreadyPublishedError,
  MANIFEST_FILE,
  PUBLISHED_FILES,
  auditPrefix,
  publishFindings,
  readManifest,
} from '#reports/publish';
import { findingsSample } from '../fixtures/findings-sample.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Wraps the real store: records the order of puts, and fails the nth put when asked (a network or S3 fault). */
class RecordingStore implements ObjectStore {
  readonly putKeys: string[] = [];
  constructor(
    private readonly inner: ObjectStore,
    private readonly failOnPut?: number,
  ) {}
  ping(): Promise<void> {
    return this.inner.ping();
  }
  async put(key: string, body: Uint8Array | string, contentType: string): Promise<{ sha256: string; size: number }> {
    if (this.putKeys.length + 1 === this.failOnPut)
      throw new Error(`simulated failure of put #${this.failOnPut} (${key})`);
    const stored = await this.inner.put(key, body, contentType);
    this.putKeys.push(key);
    return stored;
  }
  get(key: string): Promise<Uint8Array | null> {
    return this.inner.get(key);
  }
}

/** The fixture under another audit id, so each test publishes to its own prefix. */
function auditNamed(id: string): FindingsDocument {
  const doc = structuredClone(findingsSample);
  doc.audit.id = id;
  return doc;
}

describe('publishFindings on s3rver', () => {
  const config: StoreConfig = {
    region: 'eu-west-2',
    tableName: 'unused',
    bucketName: `findings-${randomUUID()}`,
    s3Endpoint: inject('s3Endpoint'),
  };
  const s3 = createS3Client(config);
  const objects = new S3ObjectStore(s3, config.bucketName);

  beforeAll(async () => {
    await ensureBucket(s3, config.bucketName);
  });

  it('stores every file under the audit prefix with the SHA-256 and size its manifest records', async () => {
    const doc = auditNamed('perm-2018-02');
    const manifest = await publishFindings(objects, doc, { publishedAt: '2018-03-16T16:00:00.000Z' });

    expect(manifest).toMatchObject({
      schemaVersion: 1,
      auditId: 'perm-2018-02',
      authorityId: 'northshire',
      publishedAt: '2018-03-16T16:00:00.000Z',
    });
    expect(manifest.files.map((f) => f.name)).toEqual([...PUBLISHED_FILES]);
    for (const file of manifest.files) {
      expect(file.key).toBe(`findings/northshire/perm-2018-02/${file.name}`);
      const bytes = await objects.get(file.key);
      expect(bytes, file.name).not.toBeNull();
      expect(bytes!.byteLength, file.name).toBe(file.size);
      expect(sha256(bytes!), file.name).toBe(file.sha256);
    }
    expect(manifest.files.find((f) => f.name === 'findings.xlsx')?.contentType).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(manifest.files.find((f) => f.name === 'report.html')?.contentType).toBe('text/html; charset=utf-8');
  });

  it('publishes a findings.json that reads back as the document, and a workbook and report that open', async () => {
    const doc = auditNamed('perm-2018-02-readback');
    await publishFindings(objects, doc);
    const prefix = auditPrefix('northshire', 'perm-2018-02-readback');

    const json = JSON.parse(new TextDecoder().decode((await objects.get(`${prefix}findings.json`))!)) as unknown;
    expect(json).toEqual(doc);

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await objects.get(`${prefix}findings.xlsx`)) as unknown as ExcelJS.Buffer);
    expect(workbook.getWorksheet('Criteria')?.getRow(2).getCell(9).value).toBe(0.8);

    const html = new TextDecoder().decode((await objects.get(`${prefix}report.html`))!);
    expect(html).toContain('No permanence plan by 2nd review: 2 (CiN/CP North 1, CiN/CP South 1)');

    const csv = (await objects.get(`${prefix}action-plan.csv`))!;
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the UTF-8 BOM survives the round trip
    expect(new TextDecoder().decode(csv).startsWith('Action/Task,By whom,By when,Expected outcome')).toBe(true);
  });

  it('writes the manifest last, after every file it lists', async () => {
    const recording = new RecordingStore(objects);
    const manifest = await publishFindings(recording, auditNamed('perm-2018-02-order'));
    const prefix = auditPrefix('northshire', 'perm-2018-02-order');
    expect(recording.putKeys).toEqual([...manifest.files.map((f) => f.key), `${prefix}${MANIFEST_FILE}`]);
    expect(recording.putKeys.at(-1)).toBe(`${prefix}manifest.json`);
  });

  it('reads back the manifest it wrote, and null for an audit never published', async () => {
    const written = await publishFindings(objects, auditNamed('perm-2018-02-manifest'), {
      publishedAt: '2018-03-17T09:00:00.000Z',
    });
    await expect(readManifest(objects, 'northshire', 'perm-2018-02-manifest')).resolves.toEqual(written);
    await expect(readManifest(objects, 'northshire', `never-${randomUUID()}`)).resolves.toBeNull();
  });

  it('writes no manifest when a put fails, and the failure reaches the caller', async () => {
    const failing = new RecordingStore(objects, 4);
    const prefix = auditPrefix('northshire', 'perm-2018-02-failed');
    await expect(publishFindings(failing, auditNamed('perm-2018-02-failed'))).rejects.toThrow(
      /simulated failure of put #4/,
    );

    expect(failing.putKeys).toEqual(PUBLISHED_FILES.slice(0, 3).map((name) => `${prefix}${name}`));
    await expect(objects.get(`${prefix}${PUBLISHED_FILES[3]}`)).resolves.toBeNull();
    await expect(objects.get(`${prefix}${MANIFEST_FILE}`)).resolves.toBeNull();
    await expect(readManifest(objects, 'northshire', 'perm-2018-02-failed')).resolves.toBeNull();
  });

  it('refuses to publish an audit twice, leaving the first publication as it was', async () => {
    const first = await publishFindings(objects, auditNamed('perm-2018-02-twice'), {
      publishedAt: '2018-03-18T09:00:00.000Z',
    });
    await expect(publishFindings(objects, auditNamed('perm-2018-02-twice'))).rejects.toThrow(AlreadyPublishedError);
    await expect(readManifest(objects, 'northshire', 'perm-2018-02-twice')).resolves.toEqual(first);
  });

  it('writes nothing for an invalid document', async () => {
    const doc = auditNamed('perm-2018-02-invalid') as unknown as { sampleSize: unknown };
    doc.sampleSize = 'twelve';
    await expect(publishFindings(objects, doc as unknown as FindingsDocument)).rejects.toThrow(/sampleSize/);
    const prefix = auditPrefix('northshire', 'perm-2018-02-invalid');
    for (const name of [...PUBLISHED_FILES, MANIFEST_FILE])
      await expect(objects.get(`${prefix}${name}`)).resolves.toBeNull();
  });
});
