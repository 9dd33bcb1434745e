/** Inline SVG charts for the HTML report: plain markup, no libraries, readable without colour or sight. */
import type { BreakdownRow, CriterionFinding } from '#engine/findings-model';

/** Text made safe for XML and HTML content and double- or single-quoted attributes. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A share (0–1) as "83.3%" (one decimal, none when whole); "–" when there is no value. */
export function formatPercent(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '–';
  return `${Math.round(share * 1000) / 10}%`;
}

/** A change of share as signed percentage points: "+20 points", "−8.3 points", "no change". */
export function formatPoints(delta: number | null | undefined): string {
  if (delta === null || delta === undefined || !Number.isFinite(delta)) return '–';
  const points = Math.round(delta * 1000) / 10;
  if (points === 0) return 'no change';
  return `${points > 0 ? '+' : '−'}${Math.abs(points)} point${Math.abs(points) === 1 ? '' : 's'}`;
}

/** What a page can set on any chart. */
export interface ChartOptions {
  /** Prefix of the chart's element ids; must be unique in the page. */
  id?: string;
  /** The chart's accessible title. */
  title?: string;
}

// GOV.UK palette: blue for values, dark grey for previous values, black for marks and text. Colour
// never carries meaning alone: every bar has its value and any shortfall written beside it.
const BLUE = '#1d70b8';
const GREY = '#626a6e';
const LIGHT = '#b1b4b6';
const TEXT = '#0b0c0c';
const FONT = 'system-ui, -apple-system, &quot;Segoe UI&quot;, Roboto, Helvetica, Arial, sans-serif';

const WIDTH = 800;
const LABEL_WIDTH = 290;
const PLOT_X = 300;
const PLOT_WIDTH = 340;
const VALUE_X = PLOT_X + PLOT_WIDTH + 12;

const x = (share: number) => round(PLOT_X + Math.max(0, Math.min(1, share)) * PLOT_WIDTH);
const round = (n: number) => Math.round(n * 10) / 10;

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** Words into at most two lines of `max` characters (the last one cut with "…"): labels fit the label column. */
function wrap(text: string, max = 36): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && `${line} ${word}`.length > max) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  if (lines.length <= 2) return lines.map((l) => truncate(l, max));
  return [truncate(lines[0]!, max), truncate(`${lines[1]} ${lines.slice(2).join(' ')}`, max)];
}

/** A right-aligned label ending at the label column, on one or two lines centred on `mid`. */
function label(text: string, mid: number, fontSize = 13): string {
  const lines = wrap(text);
  const gap = fontSize + 2;
  const first = mid - ((lines.length - 1) * gap) / 2;
  return (
    `<text x="${LABEL_WIDTH}" y="${first}" text-anchor="end" dominant-baseline="middle" font-size="${fontSize}">` +
    lines.map((l, i) => `<tspan x="${LABEL_WIDTH}" y="${first + i * gap}">${escapeXml(l)}</tspan>`).join('') +
    '</text>'
  );
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'chart'
  );
}

function svgOpen(id: string, height: number, title: string, desc: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" ` +
    `aria-labelledby="${escapeXml(id)}-title ${escapeXml(id)}-desc" font-family="${FONT}" font-size="14" fill="${TEXT}">` +
    `<title id="${escapeXml(id)}-title">${escapeXml(title)}</title><desc id="${escapeXml(id)}-desc">${escapeXml(desc)}</desc>`
  );
}

/** The 0–100% axis: gridlines every 25% with their labels above the plot. */
function axis(top: number, bottom: number): string {
  let out = '<g aria-hidden="true">';
  for (const share of [0, 0.25, 0.5, 0.75, 1]) {
    out += `<line x1="${x(share)}" y1="${top}" x2="${x(share)}" y2="${bottom}" stroke="${LIGHT}" stroke-width="1"/>`;
    out += `<text x="${x(share)}" y="${top - 6}" text-anchor="middle" font-size="12">${share * 100}%</text>`;
  }
  return `${out}</g>`;
}

function legendItem(xPos: number, y: number, mark: string, label: string): string {
  return `<g transform="translate(${xPos} ${y})">${mark}<text x="26" y="4" dominant-baseline="middle" font-size="12">${escapeXml(label)}</text></g>`;
}

const barMark = (fill: string) => `<rect x="0" y="-2" width="18" height="12" fill="${fill}"/>`;
const whiskerMark = `<g stroke="${TEXT}" stroke-width="2"><line x1="0" y1="4" x2="18" y2="4"/><line x1="0" y1="-1" x2="0" y2="9"/><line x1="18" y1="-1" x2="18" y2="9"/></g>`;
const thresholdMark = `<line x1="9" y1="-4" x2="9" y2="12" stroke="${TEXT}" stroke-width="3" stroke-dasharray="4 2"/>`;

const ROW = 52;
const TOP = 34;

/** Horizontal bars of compliance per criterion, each with its 95% interval as a whisker and its threshold as a dashed marker. */
export function complianceChart(criteria: readonly CriterionFinding[], options: ChartOptions = {}): string {
  const id = options.id ?? 'chart-compliance';
  const title = options.title ?? 'Compliance with each criterion, with its 95% interval and threshold';
  const desc = criteria
    .map((c) =>
      c.compliance === null
        ? `${c.title}: not judged.`
        : `${c.title}: ${formatPercent(c.compliance)}${c.ci95 ? ` (95% interval ${formatPercent(c.ci95.lower)} to ${formatPercent(c.ci95.upper)})` : ''}, threshold ${formatPercent(c.threshold)}, ${c.belowThreshold ? 'below threshold' : 'meets threshold'}.`,
    )
    .join(' ');
  const plotBottom = TOP + criteria.length * ROW;
  const height = plotBottom + 44;
  let out = svgOpen(id, height, title, desc || 'No criteria.');
  out += axis(TOP, plotBottom);
  criteria.forEach((c, i) => {
    const y = TOP + i * ROW;
    const barY = y + 8;
    const mid = barY + 9;
    out += `<g><title>${escapeXml(`${c.id}: ${c.title}`)}</title>`;
    out += label(c.title, mid);
    if (c.compliance === null) {
      out += `<text x="${PLOT_X + 6}" y="${mid}" dominant-baseline="middle" font-style="italic">not judged</text>`;
    } else {
      out += `<rect x="${PLOT_X}" y="${barY}" width="${round(x(c.compliance) - PLOT_X)}" height="18" fill="${BLUE}"/>`;
      if (c.ci95) {
        const lo = x(c.ci95.lower);
        const hi = x(c.ci95.upper);
        out += `<g stroke="${TEXT}" stroke-width="2" aria-hidden="true"><line x1="${lo}" y1="${mid}" x2="${hi}" y2="${mid}"/><line x1="${lo}" y1="${mid - 6}" x2="${lo}" y2="${mid + 6}"/><line x1="${hi}" y1="${mid - 6}" x2="${hi}" y2="${mid + 6}"/></g>`;
      }
      out += `<text x="${VALUE_X}" y="${mid}" dominant-baseline="middle" font-weight="700">${escapeXml(formatPercent(c.compliance))}</text>`;
    }
    out += `<line x1="${x(c.threshold)}" y1="${barY - 5}" x2="${x(c.threshold)}" y2="${barY + 23}" stroke="${TEXT}" stroke-width="3" stroke-dasharray="4 2" aria-hidden="true"/>`;
    const note = `${c.ci95 ? `95% interval ${formatPercent(c.ci95.lower)}–${formatPercent(c.ci95.upper)} · ` : ''}threshold ${formatPercent(c.threshold)}${c.belowThreshold ? ' · BELOW THRESHOLD' : ''}`;
    out += `<text x="${PLOT_X}" y="${barY + 34}" font-size="12"${c.belowThreshold ? ' font-weight="700"' : ''}>${escapeXml(note)}</text>`;
    out += '</g>';
  });
  const ly = plotBottom + 24;
  out += `<g aria-hidden="true">${legendItem(PLOT_X, ly, barMark(BLUE), 'compliance')}${legendItem(PLOT_X + 120, ly, whiskerMark, '95% interval')}${legendItem(PLOT_X + 240, ly, thresholdMark, 'threshold')}</g>`;
  return `${out}</svg>`;
}

/** The service chart's options: the threshold line as well. */
export interface ServiceChartOptions extends ChartOptions {
  /** Draws the criterion's threshold as a dashed marker. */
  threshold?: number;
}

/** Horizontal bars of one criterion's compliance per service (or team, or IRO), with how many of how many met. */
export function serviceChart(
  rows: readonly BreakdownRow[],
  criterionId: string,
  options: ServiceChartOptions = {},
): string {
  const id = options.id ?? `chart-service-${slug(criterionId)}`;
  const title = options.title ?? `Compliance by service: ${criterionId}`;
  const mine = rows.filter((r) => r.criterionId === criterionId);
  const count = (r: BreakdownRow) => `${r.met} of ${r.met + r.notMet}`;
  const desc =
    mine
      .map(
        (r) =>
          `${r.key}: ${r.compliance === null ? 'none judged' : `${formatPercent(r.compliance)} (${count(r)} met)`}.`,
      )
      .join(' ') + (options.threshold !== undefined ? ` Threshold ${formatPercent(options.threshold)}.` : '');
  const rowHeight = 34;
  const plotBottom = TOP + mine.length * rowHeight;
  const height = plotBottom + (options.threshold !== undefined ? 44 : 16);
  let out = svgOpen(id, height, title, desc || 'No records judged.');
  out += axis(TOP, plotBottom);
  mine.forEach((r, i) => {
    const barY = TOP + i * rowHeight + 8;
    const mid = barY + 9;
    out += `<g>${label(r.key, mid, 12)}`;
    if (r.compliance === null) {
      out += `<text x="${PLOT_X + 6}" y="${mid}" dominant-baseline="middle" font-style="italic">none judged</text>`;
    } else {
      out += `<rect x="${PLOT_X}" y="${barY}" width="${round(x(r.compliance) - PLOT_X)}" height="18" fill="${BLUE}"/>`;
      out += `<text x="${VALUE_X}" y="${mid}" dominant-baseline="middle"><tspan font-weight="700">${escapeXml(formatPercent(r.compliance))}</tspan> (${escapeXml(count(r))})</text>`;
    }
    out += '</g>';
  });
  if (options.threshold !== undefined) {
    const tx = x(options.threshold);
    out += `<line x1="${tx}" y1="${TOP - 2}" x2="${tx}" y2="${plotBottom + 2}" stroke="${TEXT}" stroke-width="3" stroke-dasharray="4 2" aria-hidden="true"/>`;
    out += `<g aria-hidden="true">${legendItem(PLOT_X, plotBottom + 24, thresholdMark, `threshold ${formatPercent(options.threshold)}`)}</g>`;
  }
  return `${out}</svg>`;
}

/** Previous against current compliance per criterion that has both; an empty string when no criterion has change data. */
export function changeChart(criteria: readonly CriterionFinding[], options: ChartOptions = {}): string {
  const changed = criteria.filter((c) => c.change && c.change.previousCompliance !== null && c.compliance !== null);
  if (changed.length === 0) return '';
  const id = options.id ?? 'chart-change';
  const title = options.title ?? 'Compliance at the previous audit and now, per criterion';
  const desc = changed
    .map(
      (c) =>
        `${c.title}: ${formatPercent(c.change!.previousCompliance)} at the previous audit, ${formatPercent(c.compliance)} now (${formatPoints(c.change!.delta)}).`,
    )
    .join(' ');
  const rowHeight = 62;
  const plotBottom = TOP + changed.length * rowHeight;
  const height = plotBottom + 44;
  let out = svgOpen(id, height, title, desc);
  out += axis(TOP, plotBottom);
  changed.forEach((c, i) => {
    const y = TOP + i * rowHeight + 6;
    const previous = c.change!.previousCompliance!;
    const current = c.compliance!;
    out += `<g><title>${escapeXml(`${c.id}: ${c.title}`)}</title>`;
    out += label(c.title, y + 12);
    out += `<text x="${LABEL_WIDTH}" y="${y + 40}" text-anchor="end" dominant-baseline="middle" font-size="12" font-weight="700">${escapeXml(formatPoints(c.change!.delta))}</text>`;
    out += `<rect x="${PLOT_X}" y="${y}" width="${round(x(previous) - PLOT_X)}" height="14" fill="${GREY}"/>`;
    out += `<text x="${VALUE_X}" y="${y + 7}" dominant-baseline="middle" font-size="12">before ${escapeXml(formatPercent(previous))}</text>`;
    out += `<rect x="${PLOT_X}" y="${y + 20}" width="${round(x(current) - PLOT_X)}" height="18" fill="${BLUE}"/>`;
    out += `<text x="${VALUE_X}" y="${y + 29}" dominant-baseline="middle" font-weight="700">now ${escapeXml(formatPercent(current))}</text>`;
    out += '</g>';
  });
  const ly = plotBottom + 24;
  out += `<g aria-hidden="true">${legendItem(PLOT_X, ly, barMark(GREY), 'previous audit')}${legendItem(PLOT_X + 140, ly, barMark(BLUE), 'this audit')}</g>`;
  return `${out}</svg>`;
}
