// Draws the latency distribution of a bench result as an SVG histogram (no dependencies).
// Usage: tsx bench/latency-chart.ts [.bench/latest.json] [docs/latency.svg]
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { percentile } from './stats';

interface Series {
  readonly label: string;
  readonly color: string;
  readonly samples: readonly number[];
}

const WIDTH = 760;
const HEIGHT = 360;
const MARGIN = { left: 60, right: 20, top: 48, bottom: 56 };
const BIN_MS = 10;
const X_CAP_MS = 2_000;
/** The issue's targets: p50 ≤ 250 ms, p99 ≤ 1 s. */
const TARGETS = [
  { ms: 250, label: 'p50 target' },
  { ms: 1_000, label: 'p99 target' },
];

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function histogram(samples: readonly number[], bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (const value of samples) counts[Math.min(bins - 1, Math.max(0, Math.floor(value / BIN_MS)))]++;
  return counts;
}

export function latencySvg(title: string, series: readonly Series[]): string {
  const largest = Math.max(1, ...series.flatMap((s) => s.samples));
  const xMax = Math.min(X_CAP_MS, Math.max(1_100, Math.ceil(largest / 100) * 100));
  const bins = Math.ceil(xMax / BIN_MS) + 1; // the last bin holds everything beyond xMax
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const shares = series.map((s) => histogram(s.samples, bins).map((c) => (100 * c) / Math.max(1, s.samples.length)));
  const yMax = Math.max(5, Math.ceil(Math.max(...shares.flat()) / 5) * 5);
  const x = (ms: number): number => MARGIN.left + (ms / (bins * BIN_MS)) * plotW;
  const y = (share: number): number => MARGIN.top + plotH - (share / yMax) * plotH;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`);
  out.push(`<text x="${WIDTH / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(title)}</text>`);
  for (let share = 0; share <= yMax; share += yMax / 5) {
    out.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(share)}" y2="${y(share)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${MARGIN.left - 6}" y="${y(share) + 4}" text-anchor="end">${share.toFixed(0)} %</text>`);
  }
  const tickEvery = xMax <= 300 ? 50 : xMax <= 1000 ? 100 : 250;
  for (let ms = 0; ms <= xMax; ms += tickEvery) {
    out.push(`<line x1="${x(ms)}" x2="${x(ms)}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH + 4}" stroke="#333"/>`);
    out.push(`<text x="${x(ms)}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${ms}</text>`);
  }
  if (largest > xMax) out.push(`<text x="${x(xMax + BIN_MS / 2)}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">&gt;</text>`);
  for (const target of TARGETS) {
    out.push(`<line x1="${x(target.ms)}" x2="${x(target.ms)}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#c53030" stroke-width="1.5"/>`);
    out.push(`<text x="${x(target.ms) - 4}" y="${MARGIN.top + 14}" text-anchor="end" fill="#c53030">${target.label}</text>`);
  }
  out.push(`<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 12}" text-anchor="middle">PutItem → arrival at the downstream node (ms, ${BIN_MS} ms bins)</text>`);
  out.push(`<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">share of records</text>`);
  series.forEach((s, i) => {
    const barW = plotW / bins / series.length;
    shares[i].forEach((share, bin) => {
      if (share <= 0) return;
      const left = x(bin * BIN_MS) + i * barW;
      out.push(`<rect x="${left.toFixed(1)}" y="${y(share).toFixed(1)}" width="${Math.max(0.5, barW - 0.5).toFixed(1)}" height="${(MARGIN.top + plotH - y(share)).toFixed(1)}" fill="${s.color}"/>`);
    });
    const sorted = [...s.samples].sort((a, b) => a - b);
    const marks = [50, 90, 99].map((p) => ({ p, ms: percentile(sorted, p) }));
    for (const mark of marks) {
      const mx = x(Math.min(mark.ms, xMax + BIN_MS / 2));
      out.push(`<line x1="${mx}" x2="${mx}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="${s.color}" stroke-dasharray="4 3"/>`);
    }
    const legendY = MARGIN.top - 14;
    const legendX = MARGIN.left + i * (plotW / 2);
    const summary = marks.map((m) => `p${m.p} ${Math.round(m.ms)}`).join(' · ');
    out.push(`<rect x="${legendX}" y="${legendY - 9}" width="10" height="10" fill="${s.color}"/>`);
    out.push(`<text x="${legendX + 14}" y="${legendY}">${escapeXml(`${s.label} (n=${s.samples.length}): ${summary} ms`)}</text>`);
  });
  out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#333"/>`);
  out.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH}" stroke="#333"/>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

interface ResultsFile {
  startedAt: string;
  settings: { latencyWritesPerSecond: number; idleWindowMs: number; resumeWindowMs: number };
  latency?: { node: { samples: number[] } };
  idle?: { resumed: { samples: number[] } };
}

function main(): void {
  const root = path.resolve(__dirname, '..');
  const input = process.argv[2] ?? path.join(root, '.bench', 'latest.json');
  const output = process.argv[3] ?? path.join(root, 'docs', 'latency.svg');
  const results = JSON.parse(readFileSync(input, 'utf8')) as ResultsFile;
  const series: Series[] = [];
  const { latencyWritesPerSecond: rate, idleWindowMs, resumeWindowMs } = results.settings;
  if (results.latency) series.push({ label: `steady, ${rate} writes/s`, color: '#2b6cb0', samples: results.latency.node.samples });
  if (results.idle) {
    const label = `first ${resumeWindowMs / 1000} s after ${idleWindowMs / 1000} s idle`;
    series.push({ label, color: '#dd6b20', samples: results.idle.resumed.samples });
  }
  if (series.length === 0) throw new Error(`${input} has no latency samples`);
  writeFileSync(output, latencySvg(`Latency, default settings, DynamoDB Local (${results.startedAt.slice(0, 10)})`, series));
  process.stdout.write(`wrote ${path.relative(root, output)}\n`);
}

if (require.main === module) main();
