/**
 * What the parameter form needs to know about a scenario's zod parameters: name, description, default (as
 * the command line would write it) and the input that fits. sim/params.ts builds every parameter as
 * `schema.prefault(default).describe(text)`, so the default and the description are on the outer schema.
 */
import type { z } from 'zod';
import type { Scenario } from 'faultline';

export type ParamInput = 'number' | 'text' | 'bool' | 'choice' | 'json';

export interface ParamField {
  name: string;
  description: string;
  /** The default as --set text: '150', '10s', 'true', or JSON for a distribution object. */
  defaultText: string;
  input: ParamInput;
  /** The words a choice parameter takes. */
  choices: string[];
}

interface ZodInternals {
  _zod: { def: { type: string; defaultValue?: unknown; innerType?: { options?: unknown } } };
  description?: string;
}

export function paramFields(scenario: Scenario): ParamField[] {
  return Object.entries(scenario.params.shape as Record<string, z.ZodType>).map(([name, schema]) => {
    const zod = schema as unknown as ZodInternals;
    const def = zod._zod.def;
    const value = def.type === 'prefault' || def.type === 'default' ? def.defaultValue : undefined;
    const options = def.innerType?.options;
    const choices = Array.isArray(options) ? options.map(String) : [];
    const input: ParamInput = choices.length > 0 ? 'choice' : typeof value === 'boolean' ? 'bool' : typeof value === 'number' ? 'number' : value !== null && typeof value === 'object' ? 'json' : 'text';
    return { name, description: zod.description ?? '', defaultText: toText(value), input, choices };
  });
}

/** A value as the command line writes it. */
export function toText(value: unknown): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}
