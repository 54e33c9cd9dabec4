// The table of published MobileNetV1 weights: where each variant lives upstream, where it lives on disk
// (cache and MOBILENET_WEIGHTS use one layout), and the SHA-256 of the files the project can know.
//
// Upstream locations (checked against public sources, see the notes by each URL below):
//  - TF.js layers models: only resolution 224 is hosted (tensorflow/tfjs#1310: "We only host the 224
//    version"), for alpha 1.0, 0.75, 0.50 and 0.25, spelled '1.0', '0.75', '0.50', '0.25' in the folder
//    name (tfjs-models mobilenet 0.x: `{0.25: '0.25', 0.50: '0.50', 0.75: '0.75', 1.0: '1.0'}[alpha]`).
//    Layout: <folder>/model.json + the shard files its weightsManifest lists, same folder.
//  - TFLite: the slim release tarballs (tensorflow/models research/slim/nets/mobilenet_v1.md), folder
//    mobilenet_v1_2018_08_02, every alpha × resolution, float and `_quant`; alpha spelled '1.0', '0.75',
//    '0.5', '0.25'. Each tarball holds checkpoints, a frozen graph and the `.tflite` we extract.
//    (download.tensorflow.org is served from the storage.googleapis.com bucket of the same name.)
//
// Known hashes: computed from the copies in ../shared/models, assumed byte-identical to upstream.
// model.json also carries a whitespace- and key-order-insensitive hash (`json:`) because mirrors
// re-serialise it; shards and .tflite files are compared byte for byte. Variants without a known hash
// are verified against size + SHA-256 recorded at their first download (see cache.ts).

import { ALPHAS, FORMATS, RESOLUTIONS, type WeightsFormat } from '../validate.js';

export { ALPHAS, FORMATS, RESOLUTIONS, type WeightsFormat };
/** TF.js layers weights are hosted at this resolution only. */
export const TFJS_RESOLUTIONS: readonly number[] = [224];


/** Prefix of every official URL; `baseUrl` (or MOBILENET_BASE_URL) replaces it to use a mirror. */
export const OFFICIAL_BASE_URL = 'https://storage.googleapis.com';
const TFJS_PREFIX = '/tfjs-models/tfjs';
const TFLITE_PREFIX = '/download.tensorflow.org/models/mobilenet_v1_2018_08_02';

export interface KnownFile {
  size: number;
  sha256: string;
  /** SHA-256 of the canonical JSON (keys sorted, no whitespace); model.json only. */
  jsonSha256?: string;
}
export type KnownFiles = Readonly<Record<string, KnownFile>>;

export interface Variant {
  alpha: number;
  resolution: number;
  format: WeightsFormat;
  /** e.g. 'mobilenet_v1_0.50_224' (tfjs) or 'mobilenet_v1_0.5_160_quant' (tflite). */
  name: string;
  /** What readWeights() is given: a directory with model.json, or one .tflite file. */
  kind: 'dir' | 'file';
  /** Path relative to the cache root and to $MOBILENET_WEIGHTS, '/'-separated. */
  relPath: string;
  /** Other spellings accepted when looking in $MOBILENET_WEIGHTS (e.g. ../shared's `_float.tflite`). */
  altRelPaths: readonly string[];
  /** Path of the download below the base URL: the model.json (tfjs) or the .tgz (tflite). */
  urlPath: string;
  /** tflite: the member to extract from the tarball. */
  member?: string;
  /** Known sizes and hashes by file name (tfjs: model.json + shards; tflite: the .tflite). */
  known?: KnownFiles;
}

function table(text: string): KnownFiles {
  const out: Record<string, KnownFile> = {};
  for (const line of text.trim().split('\n')) {
    const [name, size, sha256, json] = line.trim().split(/\s+/);
    if (name === undefined || size === undefined || sha256 === undefined) throw new Error(`bad known-hash line: ${line}`);
    out[name] = { size: Number(size), sha256, ...(json ? { jsonSha256: json.replace(/^json:/, '') } : {}) };
  }
  return Object.freeze(out);
}

// Keyed by Variant.relPath.
const KNOWN: Readonly<Record<string, KnownFiles>> = {
  'tfjs/mobilenet_v1_0.25_224': table(`
    model.json 54134 d14c680e069d74143e3771c291cf3fd153ee88b6ea9ee44bfaf84e2008ded44e json:ddaf87711acfd4c776cf4e5102272784b1ad78ecf57a45ad5dc6730b27589e42
    group1-shard1of1 864 edabf35aefbb81c92764cbfff6319c77376bfc36febff8fcda7af703d2b2d6aa
    group2-shard1of1 128 2c1e2fdf2b434592a87f2473ee63eaadec9b9992274bf894bf9022aa62a4b295
    group3-shard1of1 288 5c6dc065b191c2d25817b1363962b3750b10f12d1da45503d4f2b35f63828b44
    group4-shard1of1 4608 6d0bdad897777f9eff6645374b533887cc446ebbb775ee9c4fb6ba3651c39be8
    group5-shard1of1 2048 b0d70f6c3943ff882969ee42494650cbad05b6358ae4dd7fb767052e2c8d61a9
    group6-shard1of1 4608 b1670b847b867f3375c5c28182f8dc7ec4cd5227e8a288e63c205057b4bcae06
    group7-shard1of1 2048 9449cf689bf0c590b8637e2d85cd66121af6e24ef23e327e1e9616e33c943ccf
    group8-shard1of1 4608 ff90f4c898656ab72f1b22c661527d33ea24c277e0ec41a694b796bc70bbef62
    group9-shard1of1 2048 619417b59fbc5c8b19c0103a1356d8c6cc2edbbacae04d61bd66d568ca44ca10
    group10-shard1of1 9216 56e538501e0a023c76eef09155492d06ac9b6c23e1ff740ce41b82b3c31d6e94
    group11-shard1of1 4096 5f089a0979fa68b7637bf26c51e866b6e08d2bad72e1a3e10dec081d551133e2
    group12-shard1of1 128 47b68d00ca57c0b6e39fb9d39e4eb7dabf0b99ec38c49bc45e1397cea329fe46
    group13-shard1of1 576 7b7c74cb5c301312a7c62c9eeb4fdc8c5c57880f58268c32c1060bae7452a93a
    group14-shard1of1 256 1403fb88a00a1ee465631c6fdb8eec0d532a7b4d9e946f03ae6848304bf41082
    group15-shard1of1 1152 31fc5c67b4f0f32a86069c90f5098988fb4b6b9d6e837cde9318bf82c6ace283
    group16-shard1of1 512 45befac068de20c8d151a3cba9f7d09a0d4e0fd23e786a78615a98eb0800b1a5
    group17-shard1of1 1152 268bfbd17bd9333c3867de58d15c359f8211111b47130361fc078ad85c838c17
    group18-shard1of1 512 fd6b29d8b2c4b14cb68b23c5b065c98cb5bf5b1bb591823fabbbf59a5699dcb3
    group19-shard1of1 2304 65f3ba8b805628857d9305ddec4b07b2ba3c578a7740d10791384a3ff5574ad1
    group20-shard1of1 1024 7050469756997f7f39f29123924e4d570740c865b9778102b4b5e860a60d2445
    group21-shard1of1 2304 b7ac12c0857e6de96b0973df3f68bfe0d49a24f2408c120fe698e4b892bf00cc
    group22-shard1of1 1024 5206911ca627537095d3b4f6389df6d3d6397a7faee336e67215b71a691c8ae9
    group23-shard1of1 4608 67a89784137ea9720e6c5ee9d70113933e087100f3f0df3eebefda9dc11c72a3
    group24-shard1of1 2048 c6fec2526a167ae899ad6bc96a27a4e525ef5e94da0c23a37465ecae266afd4d
    group25-shard1of1 4608 8dd9917bfc71ffec7d2f9b8a74a47b59fbc1f7d03e18c1a7996fb64cca244cb7
    group26-shard1of1 2048 93fd2a5988cb4578cf6ccb7f65eaf838621307923b726f4d34a9a69c82aa7835
    group27-shard1of1 4608 71a4b8f17edb37acb78b0acd6d666f247fbd41588528f84c74514054274f91bb
    group28-shard1of1 2048 88a53e2fe1d619390a3783149161113d6c792262133bd07d2a7ee0f0c8176e00
    group29-shard1of1 1028000 f047ff48ce2829fd9c10bbae13c9443d77d2450c3373b47ca3f8b837f0012789
    group30-shard1of1 512 165a39308c2b2db017e4e1c70d70014da8e7b2057d214a92b87ccd0aa8ecb8da
    group31-shard1of1 65536 be3ae0501d536d6b8ebc9848b978062772dff56591473a3d593cdd23bad8557b
    group32-shard1of1 2048 6bab02eafbdb5743a75b8a18f4676f0206b9b2ddfe58bb752b3624fef4570bee
    group33-shard1of1 65536 53adf89e30f46c58b4f2d692e3f74901346e0d9220abd42910069aa04b8a2ec6
    group34-shard1of1 2048 1f43e3baf5e0c002b161da703a15c05f331e6369da2ec24d9427365052e8ea02
    group35-shard1of1 131072 1277abc3755440b0589d7c19630c48ff996c7ed64cfdf29c9dfcc539db5788ea
    group36-shard1of1 4096 fa47f3541eea153174b3159d5fe2d376de467a49925870fea3804f31253ca227
    group37-shard1of1 262144 00ede3172b77a23b95371ea79f0480b6a46c296c3c875732beeb213278223c4e
    group38-shard1of1 4096 f9cda80d267ab6ef2c657afed93c1f0342db0a14c8c61ee8036dcd6ba04cf526
    group39-shard1of1 256 0a9369be8b5dfb7f25eb782ca9d57bcf5c6018a60c5789975b7c802d2e9a8033
    group40-shard1of1 2048 e29621b35ebb0a35d22a11ae5b1bb070c0526577bd92ed9c2cbf0a63f055b4e1
    group41-shard1of1 512 ac7417eb2b88016e6aed832a0cb61369e6457a7bbfef1167c22e49e00cf2a315
    group42-shard1of1 4096 7c292473c55e234091f8d99422743779a5a9e8f91d49c90ef9a77432290299d4
    group43-shard1of1 512 74ec361a7398c2510727c6a513f6e79a407aa5332f8a1b2b8c992b445a108c98
    group44-shard1of1 8192 ea7b1678a5eecbbec96a7aacb5577f54df43f71be8ee2480b5942e717488f6de
    group45-shard1of1 1024 56f8ed19d60e630e7a528adc90bc7215991c42606435be271ba2e1301317f353
    group46-shard1of1 16384 32124cabcfdc5859466b6af656c8467fb4a48bdaac6382ab5b5db015565a09b4
    group47-shard1of1 1024 34fa5b0e22b0d998a9fe503fb921cf947c1f163d4b70017801cb6e900b1ab6d5
    group48-shard1of1 32768 b2be37c058ad99a6bd51ca54884b3dfe278b33e5372d470ba8f4a8859139fb7d
    group49-shard1of1 2048 59fa80185c94b52f85592b65de71563a8acca6ed5cb94c4ae8f2a02ec97e808c
    group50-shard1of1 65536 530f049c43b9f31f2e4aa2663723a5090cdec42f243833f348acb400a386311c
    group51-shard1of1 2048 1d202ecdbb7d48aa152ccb8cc34b24812f774038802f80a3e8889b3ab3b48599
    group52-shard1of1 65536 ce01c0edb4584d50dddaf7d0deba4ab156b43176c8810a92b21ab0b239cecfba
    group53-shard1of1 2048 6cca55e52e39b97b87d67a21180fba53e51d3e2cdbb157ebfa09530836119364
    group54-shard1of1 65536 63f0914ba3f4cd773e2b4eae2235ab43cb325b1ab21f1dc7325160b5b6aa0f3b
    group55-shard1of1 2048 a762f7d6c962f43b16e8ef3fede568eac7f6fb2941af14cb25ef9a211e50f704
  `),
  'tfjs/mobilenet_v1_0.75_224': table(`
    model.json 49403 a74c25424bd9939b1c245a58da417e35d1ca16f0b009490a1c44b43d982600d9 json:e75759c4bff224b81b598bf498a4b613723a583f600e8f59b3ea422ca18e7b6b
    group1-shard1of1 2592 410b3cc24d17aeabb2b0da4ba3b70383bbd40d7876c7c3d0e5184e1624f97370
    group2-shard1of1 384 d81c61c33c32ddae0ff0a460efc326ebfdf5b44e7e4891feb12e9fadd09a56a3
    group3-shard1of1 864 112908d83ad17ecaf849958cce3ca7bfed80157a51360ba879528b2435e2f082
    group4-shard1of1 13824 5e94d298bb9dbc3112e992466a03caac0b24f0438d3a9f1f6cd6bda9a54ae149
    group5-shard1of1 6144 9df642d8547369f3729945e24851a2e6b53151322d811a6ff056aa6cfade05ae
    group6-shard1of1 13824 1d4757b388337362ec777dfede8342c8a204d2fdcbdd05fedc2e8c043bc770d2
    group7-shard1of1 6144 2af6b4d2bd0445481274ee0c2c62f1c97c9b07358c1f242502d9399a33633462
    group8-shard1of1 13824 fedb2a393c7e5a9cd877a09a03cb173a6b5265c3f1c64996fa6eeb73caf281a2
    group9-shard1of1 6144 8c0dd6230a3dfd282624bd3ca3e288cb18bd8094a02a93cadd06107d7b0fdc76
    group10-shard1of1 27648 ffe87f44c0b246b0e3a2e8f7b4c8755df7e90083eab280046e1949f6d3094548
    group11-shard1of1 12288 d5422fd33b5b3a761b4872e350236445d006f5b024a8b50f1e19aec5df998e75
    group12-shard1of1 384 21bcbe424326f5d44476b4116695842dfec1dc1c83257db7c300bdbd14cbcbe0
    group13-shard1of1 1728 cee9d1834e80e98e0f55cb40a654540f9e9b1fd18ab2f16afa1e8bd916addc75
    group14-shard1of1 768 4851f5e477559b41db0e267878b86ccf2ea1cc7ed9f5d7599d661ba980718c65
    group15-shard1of1 3456 262efea5db1248f77ea109c628647afe8f1d2750812dd764de514bcb72fb5fbf
    group16-shard1of1 1536 2f4d993fb69caaabb060efcc347b54b0949e17a3d43cff315072e550775e993b
    group17-shard1of1 3456 d1518210ac84e0a713d01bebfbff1aa93c4ec16b4f43f98f2f4a2134f605324e
    group18-shard1of1 1536 c730ccf93ab504096fe2294c7bbbb66855a07f2480c0f72849cad9a90092729b
    group19-shard1of1 6912 d39c30fc0cb24c28dcf0a869ca8d6528e596599e70f7899f453dc5de775e5de2
    group20-shard1of1 3072 d94cd173f5b95be0a192333b6c5203123a35f8d5429b122eba46da5fd7d01e70
    group21-shard1of1 6912 982cbbfb5bc00408b67182a65140b8ca6793cb495ab94c6b83c71384435684e3
    group22-shard1of1 3072 64f8593a7e07081e8f0981393e5515a23153459f19685ebd69e8f4e64b6de258
    group23-shard1of1 13824 38be667fa3398643de8bae70b8693e2d895cfe099fd34e9c241bc572bb764ec8
    group24-shard1of1 6144 62c62d667246e8af09ed15b557add88ed9b0a9c7f058d8c9b8e20dc4183a3616
    group25-shard1of1 13824 b4e3ea0b6fb1c3e160cc673ce9c81d592ff233e608b2fc1dc0792125b867bd68
    group26-shard1of1 6144 0059826ac853f592c50ca5d07edb8feb1bd84a855eba47333cb834095acb6b2b
    group27-shard1of1 13824 3de17d3971bf39138917a87a4efa335c9cc82a33170f552361345f583a18b0cf
    group28-shard1of1 6144 3aaa10b8e1932a9eebf04d9f85a65050e2ecc5efb295bdcd262c2e4c560ff70c
    group29-shard1of1 3076000 29e5c43deddd5033397f359611b840d130493c2eebb841b627de231a9a3a3133
    group30-shard1of1 4608 f95062a80935d493826eceb4e7d77655d10fe3be398653d7391beb282b16e105
    group31-shard1of1 589824 e4dbda049f2f49709fd4198b673fb5806e1e03d852645acdf4f1b0857f3cb561
    group32-shard1of1 6144 2af21d7664ffcbba5af49116fe97e643ac1761a0dff53af05ee0755fac487af7
    group33-shard1of1 589824 b082a0a4d7d18fcecbc0bd4d9bddfe52bd3b9d8bd375d0603201dfc8ce6d6c14
    group34-shard1of1 6144 f2053a6599e047de9e91fdf83a34097494e03f1467522797aab6ccf843ed6cb9
    group35-shard1of1 1179648 fd2e5a79e02d66d381b115b5c4bb84495e4d6a9be613e33717edc8ed4c391a71
    group36-shard1of1 12288 24c244d8b8125eb206eacce88bf9b42748787b5a1f58899cd2e96e9094ba1a8d
    group37-shard1of1 2359296 fa347a3052379e031c4aa71a7cde35e2c87f1907a2715fd2d01f05a901b35855
    group38-shard1of1 12288 f008795067a5c6d654c113c3c17c96db04b2a73f9246182c902eaccdd633b4e2
    group39-shard1of1 768 d45475bd4af1c142501fd3df402f4d14fab9129d549a6b2ac07dd5c6f0751d91
    group40-shard1of1 18432 06e63442b82f9a9ee53c6623b9f075aaa92a286c35d8f37ec6b6e58ff6e4eec1
    group41-shard1of1 1536 1a31e532f7918b7c2abbf86bd4ba83357af06e13f9eecb431fcbfd43739be3e9
    group42-shard1of1 36864 6aee67f861139d308f8c3edbd83ae1efa398ee83108b5004bab57984e7128e66
    group43-shard1of1 1536 a9e74c49739a0a7b8668aa82ead0da33dc5ae5adab8fd30edbb64b9bfca341a5
    group44-shard1of1 73728 1a06e526debe9ece45ab3d5171ba0a82270187982cf74bb3f3e13bfb07e815d8
    group45-shard1of1 3072 9bf6693d9abd3272add6936b9582bdef043c5be9ffa3c34d0f55dd45d9c3eaa1
    group46-shard1of1 147456 cf5d3fa48f73a4e96fabf52369c4fd3944c66c174f9a0f0c32a74f85a652496d
    group47-shard1of1 3072 e74b658997342f16d95bb370052f62116150f5954c71f5f0bfc39b487016177f
    group48-shard1of1 294912 76df2c6b07777e7ac2fd2ccd50b72e5b7537a068198f896c458ef131c785f4c6
    group49-shard1of1 6144 9ffa2bc5a5dd357e2c224f390524508ed6eb7579e440ae70785167357da84c2a
    group50-shard1of1 589824 88858e48f4a3c8d953e281462f32971340d671f2e08e09be26ba140647264b0b
    group51-shard1of1 6144 3279efe417072ed8a64ee5bfd6122bf7bb952a846acec74d51af5c2938946f6f
    group52-shard1of1 589824 99bcebafa9bcb17c3045f9fb66bb956684a117a229c2b7ebb6b69800e1d0e158
    group53-shard1of1 6144 fb009466c7f22322df570d32f3d69d025c1450ed3226970939f69766ebeb05a5
    group54-shard1of1 589824 ec11ebd99a65e90d0f8a9e93d6edaa6473351553802c56d9869e433966e9b88b
    group55-shard1of1 6144 510435e7b0a4d458a47f9cfd024ef44bf9a4c5b64add54d35f4523bcda7a8efa
  `),
  'tflite/mobilenet_v1_0.25_224.tflite': table(`mobilenet_v1_0.25_224.tflite 1882904 446ec673881cd46371a8726075b714194ada39d144762260cb76d15318597df7`),
  'tflite/mobilenet_v1_0.25_224_quant.tflite': table(`mobilenet_v1_0.25_224_quant.tflite 508786 e480eb15572f86d3d5f1be6e83e35b3c7d509ab2bcec353707d1f614e14edca2`),
  'tflite/mobilenet_v1_0.25_128_quant.tflite': table(`mobilenet_v1_0.25_128_quant.tflite 525598 cb273c23ee76374b05b9583177e28aa19744858a7679c56a250e83d0333da785`),
  'tflite/mobilenet_v1_0.5_160_quant.tflite': table(`mobilenet_v1_0.5_160_quant.tflite 1392846 3cc6d2ca460abd2e0f699a6d0d2550c6b61c6e3b0e27a3616e384ea74cb86f43`),
  'tflite/mobilenet_v1_0.75_192_quant.tflite': table(`mobilenet_v1_0.75_192_quant.tflite 2652542 41daeb22fdcf947e0e5ec32373aa9df7c31f3ef45dbd0ef7b5940fbce3c20f6a`),
};

function sameNumber(a: number, b: number): boolean {
  return Math.abs(a - b) < 1e-9;
}

/** Alpha as spelled in upstream names: tfjs '1.0' '0.75' '0.50' '0.25'; tflite '1.0' '0.75' '0.5' '0.25'. */
export function alphaName(alpha: number, format: WeightsFormat): string {
  if (sameNumber(alpha, 1)) return '1.0';
  if (format === 'tfjs' && sameNumber(alpha, 0.5)) return '0.50';
  return String(alpha);
}

export function isPublishedAlpha(alpha: number): boolean {
  return ALPHAS.some((a) => sameNumber(a, alpha));
}

/** The name of a variant's model (folder name for tfjs, file stem for tflite). */
export function variantName(alpha: number, resolution: number, format: WeightsFormat): string {
  return `mobilenet_v1_${alphaName(alpha, format)}_${resolution}${format === 'tflite-quant' ? '_quant' : ''}`;
}

/**
 * The variant for (alpha, resolution, format), or undefined when nothing is published for it
 * (tfjs at resolution ≠ 224, alpha or resolution outside the released ones).
 */
export function findVariant(alpha: number, resolution: number, format: WeightsFormat): Variant | undefined {
  if (!isPublishedAlpha(alpha) || !(RESOLUTIONS as readonly number[]).includes(resolution)) return undefined;
  if (format === 'tfjs' && !TFJS_RESOLUTIONS.includes(resolution)) return undefined;
  return describeVariant(alpha, resolution, format);
}

/** Describe (alpha, resolution, format) whether or not it is published: used for local look-ups. */
export function describeVariant(alpha: number, resolution: number, format: WeightsFormat): Variant {
  const name = variantName(alpha, resolution, format);
  if (format === 'tfjs') {
    const relPath = `tfjs/${name}`;
    // Accept the other alpha spelling ('0.5', '1') in a user's directory.
    const alt = [`tfjs/mobilenet_v1_${String(alpha)}_${resolution}`, `tfjs/mobilenet_v1_${alpha.toFixed(2)}_${resolution}`]
      .filter((p, i, all) => p !== relPath && all.indexOf(p) === i);
    const known = KNOWN[relPath];
    return {
      alpha, resolution, format, name, kind: 'dir', relPath, altRelPaths: alt,
      urlPath: `${TFJS_PREFIX}/${name}/model.json`,
      ...(known ? { known } : {}),
    };
  }
  const member = `${name}.tflite`;
  const relPath = `tflite/${member}`;
  const alt = format === 'tflite' ? [`tflite/${name}_float.tflite`] : [];
  const known = KNOWN[relPath];
  return {
    alpha, resolution, format, name, kind: 'file', relPath, altRelPaths: alt,
    urlPath: `${TFLITE_PREFIX}/${name}.tgz`,
    member,
    ...(known ? { known } : {}),
  };
}

/** Every published variant, in table order (format, then alpha descending, then resolution descending). */
export function listVariants(): Variant[] {
  const out: Variant[] = [];
  for (const format of FORMATS) {
    for (const alpha of ALPHAS) {
      for (const resolution of RESOLUTIONS) {
        const v = findVariant(alpha, resolution, format);
        if (v) out.push(v);
      }
    }
  }
  return out;
}

/** The full URL of a variant's download, below `baseUrl` (default: the official bucket). */
export function variantUrl(v: Variant, baseUrl: string = OFFICIAL_BASE_URL): string {
  return baseUrl.replace(/\/+$/, '') + v.urlPath;
}

/** Map a cache- or env-relative path back to its variant, e.g. for `mobilenet info`. */
export function parseRelPath(relPath: string): { alpha: number; resolution: number; format: WeightsFormat } | undefined {
  const m = /^(tfjs|tflite)\/mobilenet_v1_(\d+(?:\.\d+)?)_(\d+)(_quant)?(_float)?(\.tflite)?$/.exec(relPath);
  if (!m) return undefined;
  const [, dir, a, r, quant, , ext] = m;
  const alpha = Number(a);
  const resolution = Number(r);
  if (dir === 'tfjs') return ext || quant ? undefined : { alpha, resolution, format: 'tfjs' };
  if (!ext) return undefined;
  return { alpha, resolution, format: quant ? 'tflite-quant' : 'tflite' };
}
