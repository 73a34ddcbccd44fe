// The serving page: lists the served models, shows the chosen one's card, and classifies images one request each.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { model: null, token: sessionStorage.getItem("tlwb-token") || "" };

function headers() {
  return state.token ? { Authorization: "Bearer " + state.token } : {};
}

function setStatus(text, isError) {
  $("status").textContent = text;
  $("status").classList.toggle("error", Boolean(isError));
}

async function getJson(path) {
  const response = await fetch(path, { headers: headers() });
  const body = await response.json();
  if (response.status === 401) {
    $("token-row").hidden = false;
  }
  if (!response.ok) {
    throw new Error(body.error || ("HTTP " + response.status));
  }
  return body;
}

async function loadModels() {
  try {
    const { models } = await getJson("/models");
    const select = $("model");
    select.replaceChildren(...models.map((m) => new Option(m.modelName, m.modelName)));
    state.model = models.length ? models[0].modelName : null;
    await showCard();
    setStatus(models.length ? "Ready." : "This server has no model.");
  } catch (e) {
    setStatus("Cannot list the models: " + e.message, true);
  }
}

function field(name, value) {
  const dt = document.createElement("dt");
  dt.textContent = name;
  const dd = document.createElement("dd");
  dd.textContent = value;
  return [dt, dd];
}

async function showCard() {
  if (!state.model) {
    return;
  }
  const info = await getJson("/models/" + encodeURIComponent(state.model));
  const card = info.card;
  const after = (card.metrics && card.metrics.after) || {};
  const percent = (x) => (typeof x === "number" ? (100 * x).toFixed(1) + " %" : "–");
  $("card-fields").replaceChildren(
    ...field("classes", card.classes.join(", ")),
    ...field("validation accuracy", percent(after.accuracy)),
    ...field("input", card.imageSize + " px, " + card.preprocessing),
    ...field("weights", card.weightsSpec),
    ...field("weights sha256", card.weightsSha256.slice(0, 16) + "…"),
    ...field("cut layer", card.cutLayer),
    ...field("test-time augmentation", info.tta),
    ...field("engine", info.engine),
    ...field("model file", info.file),
  );
  if (info.report) {
    const link = document.createElement("a");
    link.href = info.report;
    link.target = "_blank";
    link.textContent = "open";
    const [dt, dd] = field("training report", "");
    dd.append(link);
    $("card-fields").append(dt, dd);
  }
}

function bar(className, probability) {
  const row = document.createElement("div");
  row.className = "bar";
  const name = document.createElement("span");
  name.textContent = className;
  const track = document.createElement("span");
  track.className = "track";
  const fill = document.createElement("span");
  fill.className = "fill";
  fill.style.width = (100 * probability).toFixed(1) + "%";
  fill.style.display = "block";
  track.append(fill);
  const value = document.createElement("span");
  value.className = "value";
  value.textContent = (100 * probability).toFixed(1) + "%";
  row.append(name, track, value);
  return row;
}

async function classify(blob, name) {
  const item = document.createElement("li");
  item.className = "result";
  const img = document.createElement("img");
  img.alt = name;
  img.src = URL.createObjectURL(blob);
  const body = document.createElement("div");
  const title = document.createElement("div");
  title.className = "name";
  title.textContent = name;
  body.append(title);
  item.append(img, body);
  $("results").prepend(item);
  const form = new FormData();
  form.append("data", blob, name);
  try {
    const explain = $("explain").checked;
    const response = await fetch("/predictions/" + encodeURIComponent(state.model) + "?topk=5"
      + (explain ? "&explain=true" : ""), { method: "POST", body: form, headers: headers() });
    const reply = await response.json();
    if (!response.ok) {
      throw new Error(reply.error || ("HTTP " + response.status));
    }
    const answer = explain ? reply.predictions : reply;
    if (explain) {
      img.src = reply.explanation; // the image as the model saw it, the predicted class's map over it
    }
    const label = document.createElement("div");
    label.className = "label";
    label.textContent = answer[0].className;
    const bars = document.createElement("div");
    bars.className = "bars";
    bars.append(...answer.map((p) => bar(p.className, p.probability)));
    body.append(label, bars);
  } catch (e) {
    const error = document.createElement("div");
    error.className = "error";
    error.textContent = e.message;
    body.append(error);
  }
}

async function classifyAll(files) {
  if (!state.model) {
    setStatus("No model to ask.", true);
    return;
  }
  const images = Array.from(files);
  setStatus("Classifying " + images.length + " image" + (images.length === 1 ? "" : "s") + "…");
  await Promise.all(images.map((f) => classify(f, f.name)));
  setStatus("Done: " + images.length + " image" + (images.length === 1 ? "" : "s") + ".");
}

function wireDropZone() {
  const drop = $("drop");
  ["dragenter", "dragover"].forEach((type) => drop.addEventListener(type, (e) => {
    e.preventDefault();
    drop.classList.add("over");
  }));
  ["dragleave", "drop"].forEach((type) => drop.addEventListener(type, () => drop.classList.remove("over")));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    classifyAll(e.dataTransfer.files);
  });
  $("files").addEventListener("change", (e) => classifyAll(e.target.files));
}

function wireCamera() {
  const video = $("video");
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    $("camera-start").hidden = true; // only in secure contexts (localhost or https)
    return;
  }
  $("camera-start").addEventListener("click", async () => {
    try {
      video.srcObject = await navigator.mediaDevices.getUserMedia({ video: true });
      await video.play();
      video.hidden = false;
      $("camera-shoot").hidden = false;
    } catch (e) {
      setStatus("No camera: " + e.message, true);
    }
  });
  $("camera-shoot").addEventListener("click", () => {
    const canvas = document.createElement("canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0);
    canvas.toBlob((blob) => classify(blob, "camera-" + new Date().toISOString() + ".jpg"), "image/jpeg", 0.92);
  });
}

$("model").addEventListener("change", (e) => {
  state.model = e.target.value;
  showCard().catch((err) => setStatus(err.message, true));
});
$("token").addEventListener("change", (e) => {
  state.token = e.target.value;
  sessionStorage.setItem("tlwb-token", state.token);
  loadModels();
});
wireDropZone();
wireCamera();
loadModels();
