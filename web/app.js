// convkit serve's page: lists the served models, then either a drawing pad (28x28 grayscale models: the drawing is
// cropped, scaled and centred like MNIST, then sent to :predict) or a photo drop (RGB models: :classify-image).
// Shows the top classes as bars and, when the server offers it, a Grad-CAM overlay. No build step, no CDN.

const $ = (id) => document.getElementById(id);
const TOP_K = 5;
let token = sessionStorage.getItem('convkit-token') ?? '';
let model = null;
let started = false;

/** fetch with the bearer token; a 401 shows the token box. Resolves with the parsed JSON, throws its error text. */
async function api(path, init = {}) {
  const headers = new Headers(init.headers);
  if (token) headers.set('Authorization', `Bearer ${token}`);
  const response = await fetch(path, { ...init, headers });
  if (response.status === 401) {
    $('token-box').hidden = false;
    throw new Error('this server needs a token');
  }
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
  return body;
}

/** `data-busy` on <body> says whether a prediction is still on its way (tests and screen readers wait on it). */
function setBusy(busy) {
  document.body.dataset.busy = String(busy);
}

function showStatus(text) {
  $('status').textContent = text;
}

/** Top-k bars from class probabilities. */
function showResults(probabilities, labels) {
  const ranked = probabilities.map((p, i) => ({ p, label: labels[i] ?? String(i) })).sort((a, b) => b.p - a.p);
  $('verdict').textContent = ranked.length ? `${ranked[0].label}` : '';
  $('verdict').dataset.label = ranked.length ? ranked[0].label : '';
  const bars = $('bars');
  bars.replaceChildren(
    ...ranked.slice(0, TOP_K).map(({ p, label }) => {
      const li = document.createElement('li');
      li.dataset.label = label;
      const name = Object.assign(document.createElement('span'), { className: 'label', textContent: label });
      const bar = Object.assign(document.createElement('span'), { className: 'bar' });
      bar.style.width = `${Math.max(0, Math.min(100, 100 * p))}%`;
      const value = Object.assign(document.createElement('span'), {
        className: 'value',
        textContent: `${(100 * p).toFixed(1)}%`,
      });
      li.append(name, bar, value);
      return li;
    }),
  );
}

function clearResults() {
  overlayRequest++;
  $('verdict').textContent = '';
  $('verdict').dataset.label = '';
  $('bars').replaceChildren();
  $('overlay-box').hidden = true;
}

let overlayRequest = 0;
/**
 * Asks the server for a Grad-CAM overlay PNG of this input, without holding up the bars (it can take seconds on a
 * large model). `data-overlay` on <body> says 'loading', 'shown' or 'none'; only the latest request is shown.
 */
async function showOverlay(body) {
  const mine = ++overlayRequest;
  if (!model.gradCam) return;
  document.body.dataset.overlay = 'loading';
  const headers = new Headers(body instanceof FormData ? {} : { 'Content-Type': 'application/json' });
  if (token) headers.set('Authorization', `Bearer ${token}`);
  try {
    const response = await fetch(`/v1/models/${encodeURIComponent(model.name)}:gradcam`, { method: 'POST', headers, body });
    if (mine !== overlayRequest) return;
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const img = $('overlay');
    if (img.src.startsWith('blob:')) URL.revokeObjectURL(img.src);
    img.src = URL.createObjectURL(await response.blob());
    await img.decode();
    $('overlay-box').hidden = false;
    document.body.dataset.overlay = 'shown';
  } catch {
    if (mine !== overlayRequest) return;
    $('overlay-box').hidden = true;
    document.body.dataset.overlay = 'none';
  }
}

// ---- Drawing a digit -------------------------------------------------------------------------------------------

/**
 * MNIST's own preprocessing of a drawing: the ink's bounding box is scaled (aspect kept) to fit 20x20 by area
 * averaging, then placed in a 28x28 image so that its centre of mass is at the centre. Returns 784 values in [0, 1],
 * or null when nothing is drawn.
 */
export function mnistFromDrawing(gray, width, height) {
  let top = height;
  let left = width;
  let bottom = -1;
  let right = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (gray[y * width + x] > 0.05) {
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
    }
  }
  if (bottom < 0) return null;
  const boxW = right - left + 1;
  const boxH = bottom - top + 1;
  const scale = 20 / Math.max(boxW, boxH);
  const w = Math.max(1, Math.round(boxW * scale));
  const h = Math.max(1, Math.round(boxH * scale));
  // Area averaging: each small pixel is the mean of the source rectangle it covers (fractional edges weighted).
  const small = new Float32Array(w * h);
  for (let sy = 0; sy < h; sy++) {
    const y0 = top + (sy * boxH) / h;
    const y1 = top + ((sy + 1) * boxH) / h;
    for (let sx = 0; sx < w; sx++) {
      const x0 = left + (sx * boxW) / w;
      const x1 = left + ((sx + 1) * boxW) / w;
      let sum = 0;
      let area = 0;
      for (let y = Math.floor(y0); y < Math.ceil(y1); y++) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        for (let x = Math.floor(x0); x < Math.ceil(x1); x++) {
          const wx = Math.min(x + 1, x1) - Math.max(x, x0);
          sum += gray[y * width + x] * wx * wy;
          area += wx * wy;
        }
      }
      small[sy * w + sx] = area > 0 ? sum / area : 0;
    }
  }
  let mass = 0;
  let cx = 0;
  let cy = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = small[y * w + x];
      mass += v;
      cx += v * x;
      cy += v * y;
    }
  }
  const offsetX = Math.round(14 - (mass > 0 ? cx / mass : w / 2) - 0.5);
  const offsetY = Math.round(14 - (mass > 0 ? cy / mass : h / 2) - 0.5);
  const out = new Float32Array(28 * 28);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const ty = y + offsetY;
      const tx = x + offsetX;
      if (ty >= 0 && ty < 28 && tx >= 0 && tx < 28) out[ty * 28 + tx] = Math.min(1, small[y * w + x]);
    }
  }
  return out;
}

function setUpDrawing() {
  const pad = $('pad');
  const ctx = pad.getContext('2d', { willReadFrequently: true });
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, pad.width, pad.height);
  let drawing = false;
  let last = null;
  let inFlight = false;
  let again = false;

  const point = (event) => {
    const rect = pad.getBoundingClientRect();
    return {
      x: ((event.clientX - rect.left) * pad.width) / rect.width,
      y: ((event.clientY - rect.top) * pad.height) / rect.height,
    };
  };
  const stroke = (from, to) => {
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 20;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x, to.y);
    ctx.stroke();
  };

  /** Predicts the current drawing; while a request runs, at most one more is queued (the latest drawing). */
  const predict = async () => {
    if (inFlight) {
      again = true;
      return;
    }
    const { data } = ctx.getImageData(0, 0, pad.width, pad.height);
    const gray = new Float32Array(pad.width * pad.height);
    for (let i = 0; i < gray.length; i++) gray[i] = data[i * 4] / 255;
    const digit = mnistFromDrawing(gray, pad.width, pad.height);
    if (!digit) return clearResults();
    showSeen(digit);
    const instance = Array.from({ length: 28 }, (_, y) => Array.from({ length: 28 }, (_, x) => [digit[y * 28 + x]]));
    const body = JSON.stringify({ instances: [instance] });
    inFlight = true;
    setBusy(true);
    try {
      const answer = await api(`/v1/models/${encodeURIComponent(model.name)}:predict`, { method: 'POST', body });
      showResults(answer.predictions[0], model.labels);
      showStatus('');
      if (!drawing && !again) showOverlay(body);
    } catch (error) {
      showStatus(error.message);
    } finally {
      inFlight = false;
      if (again) {
        again = false;
        predict();
      } else setBusy(false);
    }
  };

  pad.addEventListener('pointerdown', (event) => {
    drawing = true;
    pad.setPointerCapture(event.pointerId);
    last = point(event);
    stroke(last, last);
  });
  pad.addEventListener('pointermove', (event) => {
    if (!drawing) return;
    const next = point(event);
    stroke(last, next);
    last = next;
    predict();
  });
  const end = () => {
    if (!drawing) return;
    drawing = false;
    predict();
  };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);
  $('clear').addEventListener('click', () => {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, pad.width, pad.height);
    $('seen').getContext('2d').clearRect(0, 0, 28, 28);
    clearResults();
  });
}

/** Paints the 28x28 input the model receives. */
function showSeen(digit) {
  const ctx = $('seen').getContext('2d');
  const image = ctx.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = Math.round(255 * digit[i]);
    image.data.set([v, v, v, 255], i * 4);
  }
  ctx.putImageData(image, 0, 0);
}

// ---- Dropping a photo ------------------------------------------------------------------------------------------

function setUpPhoto() {
  const drop = $('drop');
  const classify = async (file) => {
    if (!file) return;
    const preview = $('preview');
    if (preview.src.startsWith('blob:')) URL.revokeObjectURL(preview.src);
    preview.src = URL.createObjectURL(file);
    preview.hidden = false;
    const form = new FormData();
    form.append('image', file);
    setBusy(true);
    try {
      const answer = await api(`/v1/models/${encodeURIComponent(model.name)}:classify-image?top=${TOP_K}`, {
        method: 'POST',
        body: form,
      });
      showResults(answer.probabilities, model.labels);
      showStatus('');
      showOverlay(form);
    } catch (error) {
      clearResults();
      showStatus(error.message);
    } finally {
      setBusy(false);
    }
  };
  $('file').addEventListener('change', (event) => classify(event.target.files[0]));
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    classify(event.dataTransfer.files[0]);
  });
}

// ---- Start -----------------------------------------------------------------------------------------------------

function choose(models, name) {
  model = models.find((m) => m.name === name) ?? models[0];
  clearResults();
  $('draw').hidden = model.view !== 'draw';
  $('photo').hidden = model.view !== 'photo';
  $('unsupported').hidden = model.view !== 'none';
  const shape = model.inputShape.map((d) => d ?? 'N').join('x');
  $('model-info').textContent = `${model.name}: input ${shape}, ${model.labels.length} classes`;
  document.body.dataset.ready = model.name;
}

async function start() {
  let models;
  try {
    ({ models } = await api('/api/models'));
  } catch (error) {
    showStatus(error.message);
    return;
  }
  const select = $('model');
  select.replaceChildren(
    ...models.map((m) => Object.assign(document.createElement('option'), { value: m.name, textContent: m.name })),
  );
  $('model-picker').hidden = models.length < 2;
  select.onchange = () => choose(models, select.value);
  if (!started) {
    started = true;
    setUpDrawing();
    setUpPhoto();
  }
  const wanted = new URLSearchParams(location.search).get('model');
  choose(models, wanted ?? models[0].name);
  if (wanted) select.value = model.name;
}

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  token = $('token').value;
  sessionStorage.setItem('convkit-token', token);
  $('token-box').hidden = true;
  showStatus('');
  start();
});
start();
