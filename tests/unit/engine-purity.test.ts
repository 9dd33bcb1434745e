/**
 * The engine is pure: no file of shared/engine reaches I/O — the AWS SDK, the file system, the
 * workbook and zip writers, the web framework — nor the store, reports, service, http, web, local,
 * cli or demo modules, directly or through any module of the repo it imports (aliases followed).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ENGINE = join(ROOT, 'shared/engine');

/** Packages that do I/O (or serve it): an engine file may reach none of them. */
const IO_PACKAGES = [/^@aws-sdk\//, /^(node:)?fs(\/promises)?$/, /^exceljs$/, /^jszip$/, /^hono(\/|$)/, /^@hono\//];
/** The repo's I/O side, by folder. */
const IO_FOLDERS = ['store', 'reports', 'service', 'http', 'web', 'local', 'cli', 'demo'].map(
  (f) => join(ROOT, 'shared', f) + '/',
);

const aliases = Object.entries(
  (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { imports: Record<string, string> }).imports,
);

/** Every module a file names: static imports and re-exports (type-only ones too), side-effect imports and dynamic import(). */
export function specifiersOf(source: string): string[] {
  const found = new Set<string>();
  const patterns = [
    /\b(?:import|export)\s[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const m of source.matchAll(pattern)) found.add(m[1]!);
  return [...found];
}

/** A specifier as a file of the repo (aliases and relative paths), or null for a package. */
function resolveInRepo(specifier: string, from: string): string | null {
  if (specifier.startsWith('.')) return resolve(dirname(from), specifier);
  for (const [pattern, target] of aliases) {
    const [prefix, suffix = ''] = pattern.split('*');
    if (specifier.startsWith(prefix!) && specifier.endsWith(suffix)) {
      const star = specifier.slice(prefix!.length, specifier.length - suffix.length);
      const path = join(ROOT, target.replace('*', star));
      // An alias's ".ts" may be a ".tsx".
      return existsSync(path) ? path : existsSync(`${path}x`) ? `${path}x` : path.replace(/\.ts$/, '.tsx');
    }
  }
  return null;
}

/** Why a specifier named in `from` reaches I/O (the chain of modules), or null. */
export function ioReachedBy(specifier: string, from: string, seen = new Set<string>()): string | null {
  const file = resolveInRepo(specifier, from);
  if (file === null) return IO_PACKAGES.some((p) => p.test(specifier)) ? specifier : null;
  if (IO_FOLDERS.some((folder) => file.startsWith(folder))) return `${specifier} (${relative(ROOT, file)})`;
  if (seen.has(file) || !existsSync(file) || !/\.(ts|tsx)$/.test(file)) return null;
  seen.add(file);
  for (const next of specifiersOf(readFileSync(file, 'utf8'))) {
    const reached = ioReachedBy(next, file, seen);
    if (reached) return `${specifier} → ${reached}`;
  }
  return null;
}

function engineFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? engineFiles(path) : /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

describe('the engine', () => {
  it('has files to check', () => {
    expect(engineFiles(ENGINE).length).toBeGreaterThan(10);
  });

  it('imports no I/O, directly or through the modules it imports', () => {
    const problems: string[] = [];
    for (const file of engineFiles(ENGINE)) {
      for (const specifier of specifiersOf(readFileSync(file, 'utf8'))) {
        const reached = ioReachedBy(specifier, file);
        if (reached) problems.push(`${relative(ROOT, file)} imports ${reached}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('would name an import of the store, of the file system and of an SDK, however reached', () => {
    const from = join(ENGINE, 'population.ts');
    expect(ioReachedBy('#store/record-store', from)).toMatch(/^#store\/record-store/);
    expect(ioReachedBy('node:fs/promises', from)).toBe('node:fs/promises');
    expect(ioReachedBy('@aws-sdk/client-s3', from)).toBe('@aws-sdk/client-s3');
    // Through the repo: the template library reads its folder with node:fs.
    expect(ioReachedBy('#audit/template-library', from)).toMatch(/node:fs\/promises$/);
    expect(
      specifiersOf(
        "import type { A } from './a.ts';\nexport { b } from '#b/c';\nimport 'side';\nawait import('dyn');",
      ).sort(),
    ).toEqual(['#b/c', './a.ts', 'dyn', 'side']);
  });
});
