/** A seed as the CLI's --seed reads it: an integer when the text is one, else the text itself. */
export function parseSeedText(text: string): number | string {
  const trimmed = text.trim();
  if (/^-?\d+$/.test(trimmed)) {
    const n = Number(trimmed);
    if (Number.isSafeInteger(n)) return n;
  }
  return trimmed;
}
