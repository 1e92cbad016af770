/**
 * The JSON documents around the blobs, each built with a fixed key order so its digest is stable:
 * the OCI image manifest and index (image-spec manifest.md, image-index.md), the oci-layout file
 * (image-layout.md), and docker save's manifest.json and repositories (Docker's image/spec v1.2
 * "combined image JSON + filesystem changeset format").
 */
import { ANNOTATION_IMAGE_NAME, ANNOTATION_REF_NAME, OCI_CONFIG, OCI_INDEX, OCI_LAYOUT_VERSION, OCI_MANIFEST } from './media-types.js';
import { digestHex } from './digest.js';
import { formatReference, type ImageReference } from './reference.js';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

function json(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

export function encodeOciManifest(config: Omit<Descriptor, 'mediaType'>, layers: Descriptor[]): Uint8Array {
  return json({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.size },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
  });
}

/** index.json naming one manifest; the tag goes in ref.name (what `oci-archive:FILE:TAG` matches). */
export function encodeOciIndex(manifest: Omit<Descriptor, 'mediaType' | 'annotations'>, reference?: ImageReference): Uint8Array {
  const entry: Descriptor = { mediaType: OCI_MANIFEST, digest: manifest.digest, size: manifest.size };
  if (reference) entry.annotations = { [ANNOTATION_IMAGE_NAME]: formatReference(reference), [ANNOTATION_REF_NAME]: reference.tag };
  return json({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [entry] });
}

export function encodeOciLayout(): Uint8Array {
  return json({ imageLayoutVersion: OCI_LAYOUT_VERSION });
}

/** docker save's manifest.json: one image, its config file, its layer files, its tags. */
export function encodeDockerManifest(configFile: string, layerFiles: string[], reference?: ImageReference): Uint8Array {
  return json([{ Config: configFile, RepoTags: reference ? [formatReference(reference)] : null, Layers: layerFiles }]);
}

/** The legacy `repositories` file: repository → tag → the id of the top layer (its directory name). */
export function encodeDockerRepositories(reference: ImageReference, topLayerDigest: string): Uint8Array {
  return json({ [reference.repository]: { [reference.tag]: digestHex(topLayerDigest) } });
}
