// `mobilenet fetch`: put published weights into the cache (verified, recorded), remember them as the
// model fetched last, and print the classify command that uses them.
import { FORMATS, type WeightsFormat } from '../validate.js';
import { defaultFormat, fetchWeights } from '../weights/resolve.js';
import { alphaName } from '../weights/registry.js';
import { parsers, type CommandSpec, type Parsed } from './args.js';
import { interruptible, type CliIO, type Command } from './main.js';
import { downloadBar } from './progress.js';

const spec: CommandSpec = {
  name: 'fetch',
  summary: 'Downloads published MobileNetV1 weights into the cache, checks them, and prints the command that uses them.',
  args: '',
  maxPositionals: 0,
  flags: {
    alpha: { type: 'string', value: 'A', help: 'width multiplier: 1.0, 0.75, 0.5, 0.25 (default 1.0)', parse: parsers.alpha },
    resolution: { type: 'string', value: 'R', help: 'input size: 224, 192, 160, 128 (default 224)', parse: parsers.resolution },
    format: { type: 'string', value: 'F', help: `${FORMATS.join(', ')} (default: tfjs at 224, tflite otherwise)`, parse: parsers.oneOf(FORMATS) },
    force: { type: 'boolean', help: 'download again even when the cached copy checks out' },
    json: { type: 'boolean', help: 'one JSON object on stdout: { path, format, alpha, resolution, source, verified }' },
  },
  notes: 'Downloads retry with backoff and resume; HTTPS_PROXY, HTTP_PROXY and NO_PROXY are honoured; MOBILENET_BASE_URL\n' +
    'replaces https://storage.googleapis.com (a mirror). The cache is $XDG_CACHE_HOME/mobilenet-native or ~/.cache/mobilenet-native.',
};

async function run(parsed: Parsed, io: CliIO): Promise<number> {
  const v = parsed.values as { alpha?: number; resolution?: number; format?: WeightsFormat; force?: boolean; json?: boolean };
  const bar = downloadBar(io.stderr);
  let r;
  try {
    r = await interruptible((signal) => fetchWeights({
      alpha: v.alpha ?? 1.0,
      resolution: v.resolution ?? 224,
      format: v.format,
      force: v.force ?? false,
      env: io.env,
      onProgress: bar.onProgress,
      signal,
    }));
  } finally {
    bar.clear();
  }
  if (v.json) {
    io.stdout.write(JSON.stringify({ path: r.path, format: r.format, alpha: r.alpha, resolution: r.resolution, source: r.source, verified: r.verified ?? null }, null, 2) + '\n');
    return 0;
  }
  const what = r.source === 'cache' ? 'Already in the cache' : 'Downloaded';
  const verified = r.verified === 'known' ? 'matches the published SHA-256' : 'SHA-256 recorded at first download';
  const fmt = r.format === defaultFormat(r.resolution) ? '' : ` --format ${r.format}`;
  io.stdout.write(
    `${what} (${r.format}, ${verified}): ${r.path}\n` +
      `Classify with:\n  mobilenet classify <image>\n` +
      `or, naming this model explicitly:\n  mobilenet classify <image> --alpha ${alphaName(r.alpha, 'tflite')} --resolution ${r.resolution}${fmt}\n`,
  );
  return 0;
}

export const command: Command = { spec, run };
