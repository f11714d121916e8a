// The training dashboard's page: reads /events (server-sent events: begin, batch, epoch, end), draws one SVG chart
// per metric (training per batch as a thin line, per epoch and validation as points joined), shows progress and,
// at the end, the diagnosis. Plain DOM and SVG, no libraries.

const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
const W = 480;
const H = 220;
const PAD = { left: 48, right: 12, top: 12, bottom: 28 };

/** metric -> { batch: [x, y][], epoch: [x, y][], val: [x, y][] }; x is in epochs (1.5 = half way through epoch 2). */
const series = new Map();
let params = { epochs: null, steps: null };

const number = (v) => (typeof v === 'number' ? v : Number(v)); // 'NaN' / 'Infinity' arrive as strings

function seriesOf(metric) {
  if (!series.has(metric)) series.set(metric, { batch: [], epoch: [], val: [] });
  return series.get(metric);
}

function el(name, attributes = {}, parent = null) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, String(v));
  if (parent) parent.append(node);
  return node;
}

function niceTicks(lo, hi, count = 5) {
  if (!(hi > lo)) return [lo];
  const step = 10 ** Math.floor(Math.log10((hi - lo) / count));
  const best = [1, 2, 5, 10].map((m) => m * step).find((s) => (hi - lo) / s <= count) ?? 10 * step;
  const ticks = [];
  for (let t = Math.ceil(lo / best) * best; t <= hi + 1e-12; t += best) ticks.push(Number(t.toPrecision(6)));
  return ticks;
}

/** Draws (or redraws) one metric's chart. */
function draw(metric) {
  const s = seriesOf(metric);
  let box = document.querySelector(`.chart[data-metric="${metric}"]`);
  if (!box) {
    box = Object.assign(document.createElement('div'), { className: 'chart' });
    box.dataset.metric = metric;
    const title = Object.assign(document.createElement('div'), { className: 'legend' });
    title.innerHTML = `<strong>${metric}</strong> <span>— training (batches)</span><span>● training (epochs)</span><span>◆ validation</span>`;
    box.append(title, el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `${metric} curve` }));
    $('charts').append(box);
  }
  const svg = box.querySelector('svg');
  svg.replaceChildren();
  const points = [...s.batch, ...s.epoch, ...s.val].filter(([, y]) => Number.isFinite(y));
  if (points.length === 0) return;
  const xMax = Math.max(params.epochs ?? 1, ...points.map(([x]) => x));
  let yLo = Math.min(...points.map(([, y]) => y));
  let yHi = Math.max(...points.map(([, y]) => y));
  if (yHi === yLo) [yLo, yHi] = [yLo - 0.5, yHi + 0.5];
  const margin = 0.06 * (yHi - yLo); // points never sit on the frame
  yLo -= margin;
  yHi += margin;
  const px = (x) => PAD.left + (x / xMax) * (W - PAD.left - PAD.right);
  const py = (y) => H - PAD.bottom - ((y - yLo) / (yHi - yLo)) * (H - PAD.top - PAD.bottom);
  for (const t of niceTicks(yLo, yHi)) {
    el('line', { x1: PAD.left, x2: W - PAD.right, y1: py(t), y2: py(t), stroke: '#e2e8f0' }, svg);
    el('text', { x: PAD.left - 6, y: py(t) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#667' }, svg).textContent = t;
  }
  for (let e = 0; e <= xMax; e++) {
    el('text', { x: px(e), y: H - 8, 'text-anchor': 'middle', 'font-size': 11, fill: '#667' }, svg).textContent = e;
  }
  const line = (pts, attributes) => {
    const finite = pts.filter(([, y]) => Number.isFinite(y));
    if (finite.length === 0) return;
    el(
      'polyline',
      { points: finite.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' '), fill: 'none', ...attributes },
      svg,
    );
  };
  line(s.batch, { stroke: '#90cdf4', 'stroke-width': 1, class: 'batch-line' });
  line(s.epoch, { stroke: '#2b6cb0', 'stroke-width': 2, class: 'epoch-line' });
  line(s.val, { stroke: '#dd6b20', 'stroke-width': 2, class: 'val-line' });
  for (const [x, y] of s.epoch) if (Number.isFinite(y)) el('circle', { cx: px(x), cy: py(y), r: 3.5, fill: '#2b6cb0' }, svg);
  for (const [x, y] of s.val) {
    if (Number.isFinite(y))
      el(
        'rect',
        { x: px(x) - 3.5, y: py(y) - 3.5, width: 7, height: 7, fill: '#dd6b20', transform: `rotate(45 ${px(x)} ${py(y)})` },
        svg,
      );
  }
  svg.dataset.batchPoints = String(s.batch.length);
  svg.dataset.epochPoints = String(s.epoch.length);
}

let pending = false;
/** Redraws at most once per frame, however many events arrive. */
function redraw() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    for (const metric of series.keys()) draw(metric);
  });
}

function showDiagnosis(diagnosis) {
  if (!diagnosis) return;
  $('diagnosis').hidden = false;
  $('verdict').textContent = diagnosis.verdict ?? '';
  // The headline starts with the verdict ("overfitting: ..."), which is already shown in bold before it.
  const headline = diagnosis.headline ?? '';
  const prefix = `${diagnosis.verdict}:`;
  $('headline').textContent = headline.startsWith(prefix) ? headline.slice(prefix.length).trim() : headline;
  const list = (id, items) =>
    $(id).replaceChildren(...(items ?? []).map((t) => Object.assign(document.createElement('li'), { textContent: t })));
  list('evidence', [...(diagnosis.evidence ?? []).slice(1), ...(diagnosis.limitations ?? [])]);
  list('remedies', diagnosis.remedies);
  $('remedies-title').hidden = !(diagnosis.remedies ?? []).length;
}

const events = new EventSource('/events');
events.addEventListener('begin', (event) => {
  const data = JSON.parse(event.data);
  params = data;
  series.clear();
  $('charts').replaceChildren();
  $('title').textContent = data.title;
  document.title = `${data.title} — convkit`;
  $('progress').textContent = 'training started';
  document.body.dataset.state = 'training';
});
events.addEventListener('batch', (event) => {
  const { epoch, batch, logs } = JSON.parse(event.data);
  const x = params.steps ? epoch + (batch + 1) / params.steps : epoch + 1;
  for (const [metric, value] of Object.entries(logs))
    if (metric !== 'learning_rate') seriesOf(metric).batch.push([x, number(value)]);
  $('progress').textContent =
    `epoch ${epoch + 1}/${params.epochs ?? '?'}, batch ${batch + 1}${params.steps ? `/${params.steps}` : ''}`;
  redraw();
});
events.addEventListener('epoch', (event) => {
  const { epoch, logs } = JSON.parse(event.data);
  for (const [key, value] of Object.entries(logs)) {
    if (key === 'learning_rate') continue;
    const validation = key.startsWith('val_');
    const s = seriesOf(validation ? key.slice(4) : key);
    (validation ? s.val : s.epoch).push([epoch + 1, number(value)]);
  }
  redraw();
});
events.addEventListener('end', (event) => {
  const { diagnosis } = JSON.parse(event.data);
  $('progress').textContent = 'training finished';
  showDiagnosis(diagnosis);
  document.body.dataset.state = 'finished';
  events.close();
});
events.addEventListener('error', () => {
  if (document.body.dataset.state !== 'finished') $('status').textContent = 'lost the connection to the training process';
});
