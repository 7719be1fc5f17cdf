/**
 * A system file on disk (YAML or JSON) as a scenario: read, parsed (YAML's own errors give the line), and
 * made a scenario by systemScenario. Its name defaults to the file's base name.
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { describeError, systemScenario, SystemFileError, type Scenario } from 'faultline';
import { parse } from 'yaml';

export const SYSTEM_FILE_EXTENSIONS = ['.yaml', '.yml', '.json'] as const;

export function isSystemFile(path: string): boolean {
  return (SYSTEM_FILE_EXTENSIONS as readonly string[]).includes(extname(path).toLowerCase());
}

/** A system file's parsed contents and the name its scenario takes when the file gives none. */
export function readSystemFile(path: string, shown: string = path): { json: unknown; name: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SystemFileError(`${shown}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : describeError(err)}`);
  }
  let json: unknown;
  try {
    json = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parse(text);
  } catch (err) {
    const pos = (err as { linePos?: { line: number; col: number }[] }).linePos?.[0];
    const where = pos ? ` (line ${pos.line}, column ${pos.col})` : '';
    const why = err instanceof Error ? err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '') : describeError(err);
    throw new SystemFileError(`${shown}: not ${extname(path).toLowerCase() === '.json' ? 'JSON' : 'YAML'}${where}: ${why}`);
  }
  const name = basename(path, extname(path)).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '') || 'system';
  return { json, name };
}

/** The scenario a system file describes; `shown` names it in errors. Throws SystemFileError (one line, exit 2). */
export function loadSystemFile(path: string, shown: string = path): Scenario {
  const { json, name } = readSystemFile(path, shown);
  try {
    return systemScenario(json, { name, path });
  } catch (err) {
    if (err instanceof SystemFileError) throw new SystemFileError(`${shown}: ${err.message}`);
    throw err;
  }
}
