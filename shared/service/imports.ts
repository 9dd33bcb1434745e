/**
 * Imports as QA leads ask for them: upload links for one or more files (the upload itself starts the
 * import), or one small file sent at once; the import's status, counts and errors report; and trying
 * a failed import again. The authority always comes from the caller's token, so a QA lead can only
 * load their own authority.
 */
import * as z from 'zod';
import {
  ImportFileRequest,
  ImportRequestError,
  ImportStateError,
  StatedCollectionYear,
  YearEnding,
  createImport,
  firstImportErrors,
  getImport,
  importDirect,
  importDirectFiles,
  listImports,
  mayTryImportAgain,
  tryImportAgain,
  type CreatedImport,
  type ImportJob,
  type ImportView,
  type ImportContentType,
} from '#loader/import-jobs';
import type { ImportIssue } from '#loader/issues';
import { hasRole, type Principal } from '#auth/principal';
import type { ServiceContext } from './context.ts';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from './errors.ts';

/** POST /imports (JSON): the files the QA lead will upload. */
export const CreateImportBody = z.strictObject({
  files: z
    .array(ImportFileRequest)
    .min(1, 'name at least one file')
    .describe('each file to upload, with its content type (text/csv, application/xml, or the xlsx type)'),
  collectionYear: StatedCollectionYear.optional(),
  yearEnding: YearEnding.optional().describe(
    'the 31 March an SSDA903 return is for: another way to state the collection year',
  ),
});
export type CreateImportBody = z.infer<typeof CreateImportBody>;

function requireQaLead(principal: Principal): void {
  if (!hasRole(principal, 'qa-lead')) throw new ForbiddenError('imports are for QA leads');
}

/** The import's own refusal as field-level input errors. */
function asInput<T>(work: () => Promise<T>): Promise<T> {
  return work().catch((error: unknown) => {
    if (error instanceof ImportRequestError)
      throw new InvalidInputError([{ field: error.field, message: error.reason }]);
    throw error;
  });
}

/** Upload links for each file (valid 15 minutes); the import runs once every file has arrived. */
export function startImport(ctx: ServiceContext, principal: Principal, body: CreateImportBody): Promise<CreatedImport> {
  requireQaLead(principal);
  return asInput(() =>
    createImport(
      ctx,
      {
        authorityId: principal.authorityId,
        requestedBy: principal.userId,
        files: body.files,
        ...(body.yearEnding ? { yearEnding: body.yearEnding } : {}),
        ...(body.collectionYear ? { collectionYear: body.collectionYear } : {}),
      },
      ctx.now ? { now: ctx.now } : {},
    ),
  );
}

/** One small file imported at once (the body limit is the import's own, 5 MiB). */
export function importFile(
  ctx: ServiceContext,
  principal: Principal,
  file: {
    fileName: string;
    contentType: string;
    body: Uint8Array<ArrayBuffer>;
    yearEnding?: string;
    collectionYear?: string;
  },
): Promise<ImportView> {
  requireQaLead(principal);
  return asInput(() =>
    importDirect(
      ctx,
      {
        authorityId: principal.authorityId,
        requestedBy: principal.userId,
        fileName: file.fileName,
        contentType: file.contentType as ImportContentType,
        body: file.body,
        ...(file.yearEnding ? { yearEnding: file.yearEnding } : {}),
        ...(file.collectionYear ? { collectionYear: file.collectionYear } : {}),
      },
      ctx.now ? { now: ctx.now } : {},
    ),
  );
}

/**
 * Several small files imported at once as one import (the web page's upload form): each at most
 * 5 MiB, together at most 20 MiB; loaded in dependency order, with one report.
 */
export function importFiles(
  ctx: ServiceContext,
  principal: Principal,
  input: {
    files: { fileName: string; contentType: string; body: Uint8Array<ArrayBuffer> }[];
    yearEnding?: string;
    collectionYear?: string;
  },
): Promise<ImportView> {
  requireQaLead(principal);
  return asInput(() =>
    importDirectFiles(
      ctx,
      {
        authorityId: principal.authorityId,
        requestedBy: principal.userId,
        files: input.files.map((f) => ({ ...f, contentType: f.contentType as ImportContentType })),
        ...(input.yearEnding ? { yearEnding: input.yearEnding } : {}),
        ...(input.collectionYear ? { collectionYear: input.collectionYear } : {}),
      },
      ctx.now ? { now: ctx.now } : {},
    ),
  );
}

/** An import's report: its status and counts, and the first `errors` row errors of its errors CSV. */
export async function importReport(
  ctx: ServiceContext,
  principal: Principal,
  importId: string,
  options: { errors: number },
): Promise<{ import: ImportView; firstErrors: ImportIssue[] }> {
  const found = await importStatus(ctx, principal, importId);
  const firstErrors = found.errorsCsv
    ? await firstImportErrors(ctx, principal.authorityId, importId, options.errors)
    : [];
  return { import: found, firstErrors };
}

/** One import of the caller's authority, or 404. */
export async function importStatus(ctx: ServiceContext, principal: Principal, importId: string): Promise<ImportView> {
  requireQaLead(principal);
  const found = await getImport(ctx, principal.authorityId, importId);
  if (!found) throw new NotFoundError(`no import ${importId}`);
  return found;
}

/** The authority's imports, newest first. */
export async function imports(ctx: ServiceContext, principal: Principal): Promise<ImportJob[]> {
  requireQaLead(principal);
  return listImports(ctx, principal.authorityId);
}

/** Whether the QA lead may try this import again now: it failed (or its run stopped), every file arrived, and it has not been tried again already. */
export function mayTryAgain(ctx: Pick<ServiceContext, 'now'>, job: ImportJob): boolean {
  return mayTryImportAgain(job, ctx.now?.() ?? new Date());
}

/**
 * Tries a failed import again (QA lead): a new import over the same files, the failed one kept as it
 * was and linked to it (`retriedAs`; the new one's `retryOf`). The new import is returned pending: its
 * files are copied to it, and each copy starts it as an upload does. 404 for an import the authority
 * does not have; 409, saying why, for one that has not failed, whose files did not all arrive, or
 * that was already tried again (naming the import it was tried again as, also as `retriedAs`).
 */
export async function tryAgain(ctx: ServiceContext, principal: Principal, importId: string): Promise<ImportView> {
  await importStatus(ctx, principal, importId); // a QA lead's, of their authority: else 403 or 404
  let job: ImportJob;
  try {
    job = await tryImportAgain(ctx, principal.authorityId, importId, principal.userId, ctx.now ? { now: ctx.now } : {});
  } catch (error) {
    // It may not be tried again (`whyNotTriable`: tried again already, perhaps by another QA lead a
    // moment ago, not failed, files missing), or its files could not be copied: a 409 saying why.
    if (error instanceof ImportStateError) {
      const current = await getImport(ctx, principal.authorityId, importId);
      throw new ConflictError(error.message, current?.retriedAs ? { retriedAs: current.retriedAs } : {});
    }
    throw error;
  }
  return (await getImport(ctx, principal.authorityId, job.importId)) ?? { ...job, errorsCsv: null };
}
