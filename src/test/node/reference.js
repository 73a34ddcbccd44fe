// Reference outputs of nsfwjs 4.4.0's two MobileNetV2s under TensorFlow.js (pure-JS CPU backend).
//
//   cd src/test/node && npm ci && npm run reference
//
// Writes, into src/main/resources/io/tlwb/pretrained/ (or the folder given as argument),
//   nsfwjs-4.4.0-reference.json                   dist/models/mobilenet_v2, the layers model (npm:nsfwjs@4.4.0)
//   nsfwjs-4.4.0-mobilenet_v2_mid-reference.json  dist/models/mobilenet_v2_mid, the graph model
//                                                 (npm:nsfwjs@4.4.0#mobilenet_v2_mid)
// which `weights verify` and the tests compare the DL4J imports against. The inputs are closed-form integer pixel
// patterns that io.tlwb.pretrained.ReferenceCheck regenerates exactly (keep the two in sync), scaled like nsfwjs
// does (x/255); the graph model maps them to [-1,1] itself (hub_input), which the DL4J import replaces by x/127.5-1.
'use strict';
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');

const SIZE = 224;
const PATTERNS = ['modular', 'gradient', 'checker'];

/** Pixel value in [0,255] of pattern `k` at row y, column x, channel c: integers only, so Java matches bit for bit. */
function pixel(k, y, x, c) {
  switch (k) {
    case 0: return (x * 7 + y * 13 + c * 61) % 256;
    case 1: return c === 0 ? Math.floor((255 * (x + y)) / (2 * (SIZE - 1)))
                 : c === 1 ? Math.floor((255 * x) / (SIZE - 1))
                 : Math.floor((255 * (SIZE - 1 - y)) / (SIZE - 1));
    case 2: return (((Math.floor(x / 16) + Math.floor(y / 16)) % 2) === 0 ? 230 : 25) - c * 10;
    default: throw new Error('no pattern ' + k);
  }
}

function input(k) {
  const data = new Float32Array(SIZE * SIZE * 3);
  let i = 0;
  for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) for (let c = 0; c < 3; c++) {
    data[i++] = pixel(k, y, x, c) * (1 / 255) + 0; // Preprocessing.ZERO_TO_ONE.apply, rounded to float32
  }
  return tf.tensor4d(data, [1, SIZE, SIZE, 3]);
}

function f32base64(typed) {
  const buf = Buffer.alloc(typed.length * 4);
  for (let i = 0; i < typed.length; i++) buf.writeFloatLE(typed[i], i * 4);
  return buf.toString('base64');
}

const round = (v) => Number(v.toPrecision(8));

async function layersModel(out) {
  const dir = path.join(__dirname, 'node_modules/nsfwjs/dist/models/mobilenet_v2');
  const { modelTopology, weightsManifest } = require(path.join(dir, 'model.min.js'));
  const shard = Buffer.from(require(path.join(dir, 'group1-shard1of1.min.js')), 'base64');
  const weightData = shard.buffer.slice(shard.byteOffset, shard.byteOffset + shard.byteLength);
  const model = await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology, weightSpecs: weightsManifest[0].weights, weightData,
  }));
  const probe = tf.model({ inputs: model.inputs, outputs: [model.getLayer('out_relu').output, model.outputs[0]] });

  const images = await probeImages((x) => probe.predict(x));
  const reference = {
    spec: 'npm:nsfwjs@4.4.0',
    model: 'nsfwjs/dist/models/mobilenet_v2 (Keras 2.2.4 MobileNetV2, uint8-quantized)',
    runtime: `@tensorflow/tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}, node ${process.version}`,
    generator: 'src/test/node/reference.js',
    inputSize: SIZE,
    preprocessing: 'zero-to-one',
    bottleneckLayer: 'out_relu',
    classes: ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'],
    images,
  };
  write(out, reference);
}

// The graph model: the bundle's topology and its two shards, concatenated in manifest order.
async function graphModel(out) {
  const dir = path.join(__dirname, 'node_modules/nsfwjs/dist/models/mobilenet_v2_mid');
  const { modelTopology, weightsManifest } = require(path.join(dir, 'model.min.js'));
  const shards = weightsManifest[0].paths.map((p) => Buffer.from(require(path.join(dir, p + '.min.js')), 'base64'));
  const all = Buffer.concat(shards);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  const model = await tf.loadGraphModel(tf.io.fromMemory({
    modelTopology, weightSpecs: weightsManifest[0].weights, weightData,
  }));
  const prefix = 'StatefulPartitionedCall/sequential/keras_layer/StatefulPartitionedCall/StatefulPartitionedCall/'
    + 'StatefulPartitionedCall/predict/MobilenetV2/';
  const outRelu = prefix + 'Conv_1/Relu6'; // Keras' out_relu: Conv_1 + bias + ReLU6
  if (!modelTopology.node.some((n) => n.name === outRelu)) throw new Error('no node ' + outRelu);

  const images = await probeImages((x) => model.execute(x, [outRelu, 'Identity']));
  write(out, {
    spec: 'npm:nsfwjs@4.4.0#mobilenet_v2_mid',
    model: 'nsfwjs/dist/models/mobilenet_v2_mid (TF-Hub MobileNetV2 1.4 224 graph model, batch norm folded, '
      + 'uint8-quantized); fed x/255, which its hub_input nodes map to x*2-1',
    runtime: `@tensorflow/tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}, node ${process.version}`,
    generator: 'src/test/node/reference.js',
    inputSize: SIZE,
    preprocessing: 'minus-one-to-one',
    bottleneckLayer: 'out_relu',
    classes: ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'],
    images,
  });
}

/**
 * Runs every pattern through `run` (input -> [bottleneck NHWC, softmax]) and records what the Java check compares:
 * the softmax, the pooled bottleneck, its maximum, and the full bottleneck tensor of the first image.
 */
async function probeImages(run) {
  const images = [];
  for (let k = 0; k < PATTERNS.length; k++) {
    const x = input(k);
    const [bottleneck, softmax] = run(x);
    const b = await bottleneck.data();          // [1, 7, 7, channels] NHWC, row-major
    const gap = await bottleneck.mean([1, 2]).data();
    const image = {
      pattern: PATTERNS[k],
      softmax: Array.from(await softmax.data()).map(round),
      outReluMean: Array.from(gap).map(round),
      outReluMax: round(Math.max(...b)),
    };
    if (k === 0) {
      image.outReluShape = bottleneck.shape;
      image.outReluF32LE = f32base64(b);       // the full tensor of the first image
    }
    images.push(image);
    tf.dispose([x, bottleneck, softmax]);
  }
  return images;
}

function write(out, reference) {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(reference) + '\n');
  console.log(`wrote ${out}: ${reference.images.length} images, softmax[0] = ${reference.images[0].softmax}`);
}

async function main() {
  const dir = process.argv[2] || path.join(__dirname, '../../main/resources/io/tlwb/pretrained');
  await tf.setBackend('cpu');
  await layersModel(path.join(dir, 'nsfwjs-4.4.0-reference.json'));
  await graphModel(path.join(dir, 'nsfwjs-4.4.0-mobilenet_v2_mid-reference.json'));
}

main().catch((e) => { console.error(e); process.exit(1); });
