// The evaluation report's HTML: one self-contained page (inline CSS, charts as inline SVG, pictures as PNG files
// beside it, no script, no external link), sections in reading order with a table of contents. Pure string
// building from already computed parts; build-report.ts computes them and writes the files.

import { escapeXml as escapeHtml } from '../plots/image-grid.js';

/** A picture written beside the page: its file name under images/ and its pixel size. */
export interface ReportImage {
  file: string;
  alt: string;
  width: number;
  height: number;
}

export interface ReportClassRow {
  name: string;
  precision: number;
  recall: number;
  f1Score: number;
  support: number;
}

export interface ReportDiagnosis {
  verdict: string;
  headline: string;
  evidence: string[];
  remedies: string[];
  limitations: string[];
}

/** Everything the page shows, already computed. Optional parts leave their section out (or say why). */
export interface ReportParts {
  title: string;
  /** Lines under the title: model file, data, date, backend. */
  meta: string[];
  headline: { label: string; value: string }[];
  diagnosis: ReportDiagnosis | null;
  /** Why there is no diagnosis or learning curves (no history given), shown in their place. */
  historyNote: string | null;
  learningCurves: { svg: string } | null;
  confusion: { counts: string; normalised: string };
  classification: { rows: ReportClassRow[]; accuracy: number; macro: ReportClassRow; weighted: ReportClassRow; support: number };
  mostConfused: { trueName: string; predictedName: string; count: number }[];
  scatter: string;
  predictions: ReportImage | null;
  topLosses: ReportImage | null;
  explanations: { image: ReportImage; note: string } | null;
  summary: string;
}

const CSS = `
body { font-family: 'DejaVu Sans', Verdana, Arial, sans-serif; color: #24292f; margin: 0; background: #f6f8fa; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 32px 64px; background: white; }
h1 { margin: 0 0 4px; font-size: 26px; }
h2 { margin: 40px 0 12px; font-size: 20px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
.meta { color: #57606a; margin: 2px 0; font-size: 14px; }
nav { margin: 16px 0; font-size: 14px; } nav a { margin-right: 14px; color: #0969da; text-decoration: none; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { border: 1px solid #d0d7de; border-radius: 6px; padding: 10px 16px; min-width: 120px; }
.card .value { font-size: 24px; font-weight: bold; } .card .label { color: #57606a; font-size: 13px; }
.verdict { font-size: 18px; font-weight: bold; padding: 10px 14px; border-radius: 6px; background: #ddf4ff; }
.verdict.overfitting, .verdict.underfitting, .verdict.diverging { background: #fff8c5; }
.verdict.healthy { background: #dafbe1; }
table { border-collapse: collapse; font-size: 14px; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 12px; text-align: right; border-bottom: 1px solid #eaeef2; } th:first-child, td:first-child { text-align: left; }
tr.total td { border-top: 2px solid #d0d7de; font-weight: bold; }
figure { margin: 12px 0; overflow-x: auto; } figure img { max-width: 100%; height: auto; } figure svg { max-width: 100%; height: auto; }
figcaption, .note { color: #57606a; font-size: 13px; margin: 6px 0; }
pre { background: #f6f8fa; padding: 12px; overflow-x: auto; font-size: 12px; line-height: 1.35; }
.pair { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
`;

const pct = (v: number) => (Number.isNaN(v) ? 'NaN' : `${(100 * v).toFixed(2)}%`);
const fixed = (v: number) => (Number.isNaN(v) ? 'NaN' : v.toFixed(2));

function image(img: ReportImage): string {
  return `<img src="images/${encodeURIComponent(img.file)}" alt="${escapeHtml(img.alt)}" width="${img.width}" height="${img.height}">`;
}

/** SVG from vega or our grids, made to scale down in narrow windows (the viewBox keeps its proportions). */
function inlineSvg(svg: string): string {
  return svg.replace(/^\s*<svg\b/, '<svg role="img"');
}

function classRow(row: ReportClassRow, className = ''): string {
  const cls = className ? ` class="${className}"` : '';
  return `<tr${cls}><td>${escapeHtml(row.name)}</td><td>${fixed(row.precision)}</td><td>${fixed(row.recall)}</td><td>${fixed(row.f1Score)}</td><td>${row.support}</td></tr>`;
}

/** The whole page. */
export function renderReportHtml(p: ReportParts): string {
  const sections: { id: string; title: string; body: string }[] = [];
  const diagnosis = p.diagnosis
    ? [
        `<p class="verdict ${escapeHtml(p.diagnosis.verdict.replace(/\s+/g, '-'))}">${escapeHtml(p.diagnosis.headline)}</p>`,
        p.diagnosis.evidence.length
          ? `<h3>Evidence</h3><ul>${p.diagnosis.evidence.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul>`
          : '',
        p.diagnosis.limitations.length
          ? `<ul>${p.diagnosis.limitations.map((e) => `<li class="note">${escapeHtml(e)}</li>`).join('')}</ul>`
          : '',
        p.diagnosis.remedies.length
          ? `<h3>What to try</h3><ul>${p.diagnosis.remedies.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul>`
          : '',
      ].join('\n')
    : `<p class="note">${escapeHtml(p.historyNote ?? 'No training history given.')}</p>`;
  sections.push({ id: 'diagnosis', title: 'Diagnosis', body: diagnosis });
  sections.push({
    id: 'curves',
    title: 'Learning curves',
    body: p.learningCurves
      ? `<figure>${inlineSvg(p.learningCurves.svg)}</figure>`
      : `<p class="note">${escapeHtml(p.historyNote ?? 'No training history given.')}</p>`,
  });
  sections.push({
    id: 'confusion',
    title: 'Confusion matrix',
    body: `<div class="pair"><figure>${inlineSvg(p.confusion.counts)}</figure><figure>${inlineSvg(p.confusion.normalised)}</figure></div>
<p class="note">Rows are the true classes, columns the predicted ones; the normalised matrix divides each row by its total, so its diagonal is each class's recall.</p>`,
  });
  const c = p.classification;
  sections.push({
    id: 'classification',
    title: 'Classification report',
    body: `<table><thead><tr><th>class</th><th>precision</th><th>recall</th><th>f1-score</th><th>support</th></tr></thead><tbody>
${c.rows.map((r) => classRow(r)).join('\n')}
<tr class="total"><td>accuracy</td><td></td><td></td><td>${fixed(c.accuracy)}</td><td>${c.support}</td></tr>
${classRow(c.macro)}
${classRow(c.weighted)}
</tbody></table>
${p.mostConfused.length ? `<h3>Most confused</h3><ul>${p.mostConfused.map((m) => `<li>${escapeHtml(m.trueName)} predicted as ${escapeHtml(m.predictedName)}: ${m.count}</li>`).join('')}</ul>` : '<p class="note">No class was confused with another.</p>'}`,
  });
  sections.push({ id: 'scatter', title: 'True vs predicted', body: `<figure>${inlineSvg(p.scatter)}</figure>` });
  if (p.predictions) {
    sections.push({
      id: 'predictions',
      title: 'Predictions',
      body: `<figure>${image(p.predictions)}<figcaption>The first images of the evaluation data: predicted class and confidence, true class; green right, red wrong.</figcaption></figure>`,
    });
  }
  if (p.topLosses) {
    sections.push({
      id: 'top-losses',
      title: 'Top losses',
      body: `<figure>${image(p.topLosses)}<figcaption>The images with the highest loss: confidently wrong, or right with little confidence. Mislabelled data often shows up here.</figcaption></figure>`,
    });
  }
  if (p.explanations) {
    sections.push({
      id: 'explanations',
      title: 'Grad-CAM and saliency',
      body: `<figure>${image(p.explanations.image)}<figcaption>${escapeHtml(p.explanations.note)}</figcaption></figure>`,
    });
  }
  sections.push({ id: 'model', title: 'Model', body: `<pre>${escapeHtml(p.summary)}</pre>` });
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(p.title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>${escapeHtml(p.title)}</h1>
${p.meta.map((m) => `<p class="meta">${escapeHtml(m)}</p>`).join('\n')}
<div class="cards">${p.headline.map((h) => `<div class="card"><div class="value">${escapeHtml(h.value)}</div><div class="label">${escapeHtml(h.label)}</div></div>`).join('')}</div>
<nav>${sections.map((s) => `<a href="#${s.id}">${escapeHtml(s.title)}</a>`).join('')}</nav>
${sections.map((s) => `<section id="${s.id}">\n<h2>${escapeHtml(s.title)}</h2>\n${s.body}\n</section>`).join('\n')}
</main>
</body>
</html>
`;
}

export { pct as formatPercent };
