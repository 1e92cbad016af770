/**
 * Container image → ROOTFS (the container-to-VM path): a docker-archive (`docker save`, `podman save`,
 * `skopeo copy … docker-archive:`), an OCI image layout tarball (`oci-archive:`), or an OCI image
 * layout directory. The image's manifest is found (by tag when asked, else the only one, else the
 * one for the wanted platform), its layers are placed as host files with their digests checked, and
 * src/tar's readRootfs applies them in order, with OCI whiteouts, into one FileTree.
 *
 * Layer digests are checked as stored: an OCI descriptor's digest is of the blob (compressed or
 * not); a docker-archive names only diff_ids, which are of the uncompressed tar, so they are checked
 * for uncompressed layers (what docker save writes).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TsdibError, inputError } from '../errors.js';
import { AtomicOutput } from '../output.js';
import { decompressToSpool, sniffFile } from '../tar/decompress.js';
import { readRootfs, type ReadRootfsOptions, type Rootfs } from '../tar/index.js';
import { DirectoryImageSource, TarImageSource, type ImageSource } from './archive-source.js';
import { digestHex } from './digest.js';
import {
  ANNOTATION_IMAGE_NAME,
  ANNOTATION_REF_NAME,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_FILE,
  DOCKER_MANIFEST_LIST,
  OCI_INDEX,
  OCI_INDEX_FILE,
  OCI_LAYOUT_FILE,
  OCI_MANIFEST,
} from './media-types.js';

export type ContainerImageKind = 'docker-archive' | 'oci-archive' | 'oci-layout';

export interface ImageConfig {
  architecture?: string;
  os?: string;
  config?: { Env?: string[]; Cmd?: string[]; Entrypoint?: string[] };
  rootfs?: { type?: string; diff_ids?: string[] };
  [key: string]: unknown;
}

export interface ImageLayerRef {
  /** The member (tar) or file (layout directory) holding the blob. */
  member: string;
  /** What the stored blob must hash to ("sha256:…"); undefined when only checkable after decompression. */
  blobDigest?: string;
  /** docker-archive: the diff_id, checked when the blob turns out to be an uncompressed tar. */
  diffId?: string;
  mediaType?: string;
}

export interface ContainerImageSelection {
  /** Which image when the archive holds several: "repo:tag" (docker RepoTags) or a tag/ref name (OCI index). */
  reference?: string;
  /** GOARCH name of the platform to pick from a multi-platform index; default amd64. */
  architecture?: string;
}

export interface ContainerRootfs extends Rootfs {
  kind: ContainerImageKind;
  config: ImageConfig;
  layers: number;
}

interface ImagePlan {
  config: ImageConfig;
  layers: ImageLayerRef[];
}

/**
 * What kind of container image `input` is, or undefined for anything else (a rootfs tarball, a
 * plain directory). Reads only tar headers. A compressed file is never taken for an image here:
 * compressed images go through readContainerRootfs's own check after decompression.
 */
export function detectContainerImage(input: string): ContainerImageKind | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(input);
  } catch {
    return undefined;
  }
  if (st.isDirectory()) return fs.existsSync(path.join(input, OCI_LAYOUT_FILE)) && fs.existsSync(path.join(input, OCI_INDEX_FILE)) ? 'oci-layout' : undefined;
  if (!st.isFile() || sniffFile(input) !== 'none') return undefined;
  let source: TarImageSource;
  try {
    source = new TarImageSource(input, input);
  } catch {
    return undefined;
  }
  try {
    return kindOf(source);
  } finally {
    source.close();
  }
}

function kindOf(source: ImageSource): ContainerImageKind | undefined {
  if (source.has(OCI_LAYOUT_FILE) && source.has(OCI_INDEX_FILE)) return source instanceof DirectoryImageSource ? 'oci-layout' : 'oci-archive';
  if (source.has(DOCKER_MANIFEST_FILE)) return 'docker-archive';
  return undefined;
}

export interface ContainerLayers {
  kind: ContainerImageKind;
  config: ImageConfig;
  /** Host tar files (maybe compressed), lowest layer first: readRootfs's inputs, in this order. */
  layerPaths: string[];
  /** Removes the layer copies made for a tarball input (a layout directory's blobs are used in place). */
  cleanup(): void;
}

/**
 * A container image's layers as host files with their digests checked, lowest first, for callers
 * that layer an image under other ROOTFS inputs: pass `layerPaths` (then the other inputs) to
 * readRootfs. The image may itself be gzip/xz/zstd-compressed.
 */
export async function openContainerLayers(input: string, options: { tmpDir: string } & ContainerImageSelection): Promise<ContainerLayers> {
  const work = makeWorkDir(options.tmpDir);
  const temps: AtomicOutput[] = [];
  const cleanup = () => {
    for (const t of temps) t.abort();
    fs.rmSync(work, { recursive: true, force: true });
  };
  let source: ImageSource | undefined;
  try {
    source = await openSource(input, work);
    const kind = kindOf(source);
    if (!kind) throw inputError(`${input}: not a container image (no manifest.json, no oci-layout + index.json)`, 'give a docker-archive (docker save), an OCI archive or an OCI layout directory');
    const plan = kind === 'docker-archive' ? planDocker(source, options) : planOci(source, options);
    if (plan.layers.length === 0) throw inputError(`${input}: the image has no layers`, 'build the image with at least one layer');
    const layerPaths = plan.layers.map((layer, i) => {
      const temp = new AtomicOutput(path.join(work, `layer-${i + 1}.tar`), { force: true });
      temps.push(temp);
      return placeLayer(source!, layer, i, temp.tempPath);
    });
    // The image's own spool (a compressed input) is no longer needed once the layers are placed.
    fs.rmSync(path.join(work, 'image.tar'), { force: true });
    return { kind, config: plan.config, layerPaths, cleanup };
  } catch (e) {
    cleanup();
    throw e;
  } finally {
    source?.close();
  }
}

/**
 * Reads a container image as a rootfs: its layers in order, whiteouts applied. `cleanup()` removes
 * the layer copies and readRootfs's spools.
 */
export async function readContainerRootfs(input: string, options: ReadRootfsOptions & ContainerImageSelection): Promise<ContainerRootfs> {
  const layers = await openContainerLayers(input, options);
  try {
    const rootfs = await readRootfs(layers.layerPaths, options);
    return {
      ...rootfs,
      kind: layers.kind,
      config: layers.config,
      layers: layers.layerPaths.length,
      cleanup: () => {
        rootfs.cleanup();
        layers.cleanup();
      },
    };
  } catch (e) {
    layers.cleanup();
    // readRootfs names the layer copy (…/layer-N.tar…); say which image it came from.
    if (e instanceof TsdibError) throw new TsdibError(e.exitCode, `${input}: ${e.message}`, e.hint);
    throw e;
  }
}

async function openSource(input: string, work: string): Promise<ImageSource> {
  let st: fs.Stats;
  try {
    st = fs.statSync(input);
  } catch {
    throw inputError(`${input}: no such file or directory`, 'give a docker-archive, an OCI archive or an OCI layout directory');
  }
  if (st.isDirectory()) return new DirectoryImageSource(input, input);
  const compression = sniffFile(input);
  if (compression === 'none') return new TarImageSource(input, input);
  const spool = path.join(work, 'image.tar');
  await decompressToSpool(input, compression, spool);
  return new TarImageSource(spool, `${input} [${compression}-decompressed]`);
}

function makeWorkDir(tmpDir: string): string {
  try {
    return fs.mkdtempSync(path.join(tmpDir, 'tsdib-image-'));
  } catch (e) {
    throw inputError(`cannot create a work directory in ${tmpDir}: ${(e as Error).message}`, 'point the temporary directory (TMPDIR) at a writable place');
  }
}

function placeLayer(source: ImageSource, layer: ImageLayerRef, index: number, spoolPath: string): string {
  const placed = source.placeBlob(layer.member, spoolPath);
  const actual = `sha256:${placed.sha256}`;
  const what = `${source.name}: layer ${index + 1} (${layer.member})`;
  if (layer.blobDigest && layer.blobDigest !== actual) {
    throw inputError(`${what} hashes to ${actual}, not ${layer.blobDigest}`, 'the image is corrupt: export it again');
  }
  if (layer.diffId && sniffFile(placed.path) === 'none' && layer.diffId !== actual) {
    throw inputError(`${what} hashes to ${actual}, but the config's diff_id is ${layer.diffId}`, 'the image is corrupt: export it again');
  }
  return placed.path;
}

function readJson<T>(source: ImageSource, member: string, what: string): T {
  const bytes = source.readSmall(member);
  if (!bytes) throw inputError(`${source.name}: ${what} (${member}) is missing`, 'the image is incomplete: export it again');
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
  } catch (e) {
    throw inputError(`${source.name}: ${what} (${member}) is not valid JSON: ${(e as Error).message}`, 'the image is corrupt: export it again');
  }
}

interface DockerManifestEntry {
  Config?: string;
  RepoTags?: string[] | null;
  Layers?: string[];
}

function planDocker(source: ImageSource, selection: ContainerImageSelection): ImagePlan {
  const entries = readJson<DockerManifestEntry[]>(source, DOCKER_MANIFEST_FILE, 'manifest.json');
  if (!Array.isArray(entries) || entries.length === 0) throw inputError(`${source.name}: manifest.json lists no image`, 'export the image again');
  let entry: DockerManifestEntry | undefined;
  if (selection.reference) {
    const wanted = withTag(selection.reference);
    entry = entries.find((e) => (e.RepoTags ?? []).some((t) => t === wanted || stripDefaultRegistry(t) === stripDefaultRegistry(wanted)));
    if (!entry) throw inputError(`${source.name}: no image tagged ${wanted}`, `the archive has ${listTags(entries.flatMap((e) => e.RepoTags ?? []))}`);
  } else if (entries.length === 1) {
    entry = entries[0]!;
  } else {
    throw inputError(`${source.name}: the archive holds ${entries.length} images`, `say which one with a reference; it has ${listTags(entries.flatMap((e) => e.RepoTags ?? []))}`);
  }
  if (typeof entry.Config !== 'string' || !Array.isArray(entry.Layers)) throw inputError(`${source.name}: manifest.json has no Config or Layers`, 'export the image again');
  const config = readJson<ImageConfig>(source, entry.Config, 'the image config');
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== entry.Layers.length) {
    throw inputError(`${source.name}: manifest.json lists ${entry.Layers.length} layers but the config has ${diffIds.length} diff_ids`, 'the image is corrupt: export it again');
  }
  // Newer docker save writes layers as blobs/sha256/<digest>: the name is then the blob's digest.
  const layers = entry.Layers.map((member, i) => {
    const ref: ImageLayerRef = { member, diffId: diffIds[i] };
    const m = /(?:^|\/)blobs\/sha256\/([a-f0-9]{64})$/.exec(member);
    if (m) ref.blobDigest = `sha256:${m[1]}`;
    return ref;
  });
  return { config, layers };
}

interface OciDescriptor {
  mediaType?: string;
  digest?: string;
  size?: number;
  annotations?: Record<string, string>;
  platform?: { architecture?: string; os?: string };
}

interface OciIndexDoc {
  mediaType?: string;
  manifests?: OciDescriptor[];
}

interface OciManifestDoc {
  mediaType?: string;
  config?: OciDescriptor;
  layers?: OciDescriptor[];
}

function blobMember(source: ImageSource, descriptor: OciDescriptor | undefined, what: string): string {
  const hex = descriptor?.digest ? digestHex(descriptor.digest) : undefined;
  if (!hex) throw inputError(`${source.name}: ${what} has no sha256 digest (${descriptor?.digest ?? 'none'})`, 'only sha256 images are read');
  return `blobs/sha256/${hex}`;
}

function isIndex(mediaType: string | undefined): boolean {
  return mediaType === OCI_INDEX || mediaType === DOCKER_MANIFEST_LIST;
}

function planOci(source: ImageSource, selection: ContainerImageSelection): ImagePlan {
  let index = readJson<OciIndexDoc>(source, OCI_INDEX_FILE, 'index.json');
  let descriptor = pickManifest(source, index, selection, true);
  // An index may point at another index (multi-platform images): descend, picking by platform.
  for (let depth = 0; isIndex(descriptor.mediaType); depth++) {
    if (depth > 4) throw inputError(`${source.name}: image indexes nest too deeply`, 'the image is corrupt');
    index = readJson<OciIndexDoc>(source, blobMember(source, descriptor, 'an image index'), 'an image index');
    descriptor = pickManifest(source, index, selection, false);
  }
  if (descriptor.mediaType && descriptor.mediaType !== OCI_MANIFEST && descriptor.mediaType !== DOCKER_MANIFEST) {
    throw inputError(`${source.name}: the selected manifest has media type ${descriptor.mediaType}`, 'only OCI and Docker image manifests are read');
  }
  const manifest = readJson<OciManifestDoc>(source, blobMember(source, descriptor, 'the manifest'), 'the image manifest');
  const config = readJson<ImageConfig>(source, blobMember(source, manifest.config, 'the config'), 'the image config');
  const layers = (manifest.layers ?? []).map((l, i) => {
    const ref: ImageLayerRef = { member: blobMember(source, l, `layer ${i + 1}`), blobDigest: l.digest };
    if (l.mediaType) ref.mediaType = l.mediaType;
    return ref;
  });
  return { config, layers };
}

function pickManifest(source: ImageSource, index: OciIndexDoc, selection: ContainerImageSelection, top: boolean): OciDescriptor {
  const manifests = index.manifests ?? [];
  if (manifests.length === 0) throw inputError(`${source.name}: the image index lists no manifest`, 'export the image again');
  if (top && selection.reference) {
    const wanted = selection.reference;
    const found = manifests.find((m) => {
      const ref = m.annotations?.[ANNOTATION_REF_NAME];
      const name = m.annotations?.[ANNOTATION_IMAGE_NAME];
      return ref === wanted || name === wanted || name === withTag(wanted) || (ref !== undefined && withTag(wanted).endsWith(`:${ref}`) && name === undefined);
    });
    if (!found) throw inputError(`${source.name}: no manifest named ${wanted}`, `the index has ${listTags(manifests.map((m) => m.annotations?.[ANNOTATION_REF_NAME] ?? m.annotations?.[ANNOTATION_IMAGE_NAME] ?? ''))}`);
    return found;
  }
  if (manifests.length === 1) return manifests[0]!;
  const arch = selection.architecture ?? 'amd64';
  const forPlatform = manifests.filter((m) => m.platform?.architecture === arch && (m.platform.os ?? 'linux') === 'linux');
  if (forPlatform.length === 1) return forPlatform[0]!;
  throw inputError(`${source.name}: the index lists ${manifests.length} manifests and none is the only one for linux/${arch}`, `say which one with a reference; the index has ${listTags(manifests.map((m) => m.annotations?.[ANNOTATION_REF_NAME] ?? ''))}`);
}

function withTag(reference: string): string {
  return reference.lastIndexOf(':') > reference.lastIndexOf('/') ? reference : `${reference}:latest`;
}

/** docker.io/library/debian:12 and debian:12 are the same image. */
function stripDefaultRegistry(reference: string): string {
  return reference.replace(/^(docker\.io|index\.docker\.io)\//, '').replace(/^library\//, '');
}

function listTags(tags: string[]): string {
  const named = tags.filter((t) => t !== '');
  return named.length ? `these names: ${named.join(', ')}` : 'no named images';
}
