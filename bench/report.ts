// The results table (figure, value, target, pass/fail) and the JSON written to .bench/.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface ResultRow {
  readonly figure: string;
  readonly value: number;
  readonly unit: string;
  /** e.g. `≥ 0.9`; absent for figures reported without a target. */
  readonly target?: string;
  readonly pass?: boolean;
}

export function row(figure: string, value: number, unit: string, target?: { op: '≤' | '≥'; limit: number }): ResultRow {
  if (!target) return { figure, value, unit };
  const pass = target.op === '≤' ? value <= target.limit : value >= target.limit;
  return { figure, value, unit, target: `${target.op} ${target.limit}${unit ? ` ${unit}` : ''}`, pass };
}

function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return 'n/a';
  const digits = Number.isInteger(value) || Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}${unit ? ` ${unit}` : ''}`;
}

export function formatTable(rows: readonly ResultRow[]): string {
  const cells = rows.map((r) => [r.figure, formatValue(r.value, r.unit), r.target ?? '–', r.pass === undefined ? '' : r.pass ? 'PASS' : 'FAIL']);
  const header = ['figure', 'value', 'target', 'result'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]): string => `| ${c.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}

/** Writes `.bench/results-<date>.json` and `.bench/latest.json`; returns the dated file's path. */
export function writeResults(root: string, startedAt: Date, results: unknown): string {
  const dir = path.join(root, '.bench');
  mkdirSync(dir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/:/g, '-').replace(/\..*$/, '');
  const file = path.join(dir, `results-${stamp}.json`);
  const text = `${JSON.stringify(results, null, 2)}\n`;
  writeFileSync(file, text);
  writeFileSync(path.join(dir, 'latest.json'), text);
  return file;
}
