/**
 * Planting a bug: its edits applied to a temporary copy of the sources, never to the repository. The copy
 * holds what the CLI needs in source mode (the package.json whose "exports" let `faultline` resolve to the
 * copy's own sim/, by Node's package self-reference) and links the repository's node_modules.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bug, Edit } from './bugs.js';

/** What a copy holds: the CLI's sources and everything they import, and the package's manifest. */
const COPIED = ['sim', 'scenarios', 'cli', 'node', 'vitest', 'bin', 'mutants', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];

/** A bug whose edits no longer fit the sources: one line naming the bug, the file and the find. */
export class PlantError extends Error {
  override name = 'PlantError';
}

function occurrences(text: string, find: string): number {
  let n = 0;
  for (let i = text.indexOf(find); i >= 0; i = text.indexOf(find, i + 1)) n++;
  return n;
}

const excerpt = (s: string) => JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}…` : s);

/**
 * The bug's files after its edits, in order (a later edit sees an earlier one's result); `read` gives a
 * file's current text by its path from the repository's root. Throws PlantError unless each find occurs
 * exactly once.
 */
export function plantedFiles(bug: Bug, read: (file: string) => string): Map<string, string> {
  const files = new Map<string, string>();
  for (const edit of bug.edits) {
    const text = files.get(edit.file) ?? read(edit.file);
    files.set(edit.file, applyEdit(bug.name, text, edit));
  }
  return files;
}

function applyEdit(bugName: string, text: string, edit: Edit): string {
  const n = occurrences(text, edit.find);
  if (n !== 1) throw new PlantError(`${bugName}: ${edit.file}: the find ${excerpt(edit.find)} occurs ${n} times, expected exactly once`);
  const at = text.indexOf(edit.find);
  return text.slice(0, at) + edit.replace + text.slice(at + edit.find.length);
}

/** Reads a file of the repository at `root`, by its path from there. */
export const readerAt = (root: string) => (file: string) => readFileSync(join(root, file), 'utf8');

/** A temporary copy of the repository at `root` with `bug` planted; remove it with removeCopy. */
export function plantCopy(root: string, bug: Bug): string {
  // Edits first: a plant that does not fit fails before anything is copied.
  const files = plantedFiles(bug, readerAt(root));
  const dir = mkdtempSync(join(tmpdir(), `faultline-mutant-${bug.name}-`));
  for (const path of COPIED) if (existsSync(join(root, path))) cpSync(join(root, path), join(dir, path), { recursive: true });
  symlinkSync(realpathSync(join(root, 'node_modules')), join(dir, 'node_modules'), 'dir');
  for (const [file, text] of files) writeFileSync(join(dir, file), text);
  return dir;
}

export function removeCopy(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
