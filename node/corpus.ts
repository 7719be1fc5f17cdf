/**
 * Case files on disk (Node only). `faultline check` writes each failing case as `<dir>/<scenario>/<name>.json`
 * into the scratch directory chaos tests use too (gitignored); a case copied into test/corpus/ is replayed
 * by the test suite as a regression test (test/corpus.test.ts).
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parseCaseFile, SimError, type CaseFile } from 'faultline';

/** Where failing cases go (relative to the working directory; gitignored). Copy one to the corpus to keep it. */
export const CASES_DIR = '.faultline/cases';

/**
 * Where `faultline check` writes failing cases unless told (`--corpus`), relative to the working directory:
 * where the chaos tests write theirs. Not test/corpus itself: one check can find dozens, and each would turn
 * the suite red; the one worth keeping is copied there by hand.
 */
export const DEFAULT_CORPUS_DIR = CASES_DIR;

/** The regression corpus the test suite replays, relative to the repository root. */
export const REGRESSION_CORPUS_DIR = 'test/corpus';

/** Reads and validates one case file; throws SimError ERR_CASE (one line naming the file and field). */
export function readCaseFile(path: string): CaseFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SimError('ERR_CASE', `${path}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SimError('ERR_CASE', `${path}: not JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const file = parseCaseFile(json, path);
  // The module is written relative to the case file, so a case travels with its scenario (a repository's clone).
  return file.module === undefined || isAbsolute(file.module) ? file : { ...file, module: resolve(dirname(path), file.module) };
}

/** A case's JSON as it goes in a file at `path`: its scenario module relative to that file. */
export function caseFileText(c: { module?: string }, path: string): string {
  const json = c.module === undefined ? c : { ...c, module: relative(dirname(resolve(path)), resolve(c.module)).split('\\').join('/') };
  return `${JSON.stringify(json, null, 2)}\n`;
}

/** A file name that says what the case found, unique per scenario, seed and invariant. */
export function caseFileName(file: CaseFile, suffix = ''): string {
  const seed = String(file.seed).replace(/[^A-Za-z0-9_-]+/g, '_');
  return `seed-${seed}-${file.failure?.invariant ?? 'pass'}${suffix}.json`;
}

/**
 * Writes `file` as `<dir>/<scenario>/<name><suffix>.json` (pretty, so a diff of the corpus reads); returns the
 * path. A shrunk case takes the suffix '-min', beside the case it was shrunk from.
 */
export function writeCaseFile(dir: string, file: CaseFile, suffix = ''): string {
  const folder = join(dir, file.scenario);
  mkdirSync(folder, { recursive: true });
  const path = join(folder, caseFileName(file, suffix));
  writeFileSync(path, caseFileText(file, path));
  return path;
}

/**
 * Every case file under `dir`, sorted, as paths relative to `dir` (none if the directory does not exist):
 * `*.json` but not the `*.faults.json` schedules the chaos tests write beside their cases.
 */
export function corpusFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (folder: string) => {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.json') && !name.endsWith('.faults.json')) out.push(relative(dir, path));
    }
  };
  walk(dir);
  return out;
}
