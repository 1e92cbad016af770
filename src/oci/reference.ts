/**
 * The image name a docker/OCI output is tagged with: DIB's `--docker-target repo:tag`. Checked against
 * the distribution reference grammar (distribution/reference: lowercase path components separated
 * by "/", an optional registry host[:port] first, a tag of [A-Za-z0-9_][A-Za-z0-9_.-]{0,127});
 * a missing tag means "latest", as docker does.
 */
import { inputError } from '../errors.js';

export interface ImageReference {
  /** Everything before the tag: "registry.example:5000/team/app". */
  repository: string;
  tag: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** distribution/reference's NameTotalLengthMax. */
const NAME_MAX = 255;

export function parseImageReference(text: string, what = '--docker-target'): ImageReference {
  const hint = 'give repository[:tag] in lowercase, e.g. myimage:latest or registry.example:5000/team/app:1.0';
  if (text.includes('@')) throw inputError(`${what} "${text}": a digest cannot be a target`, hint);
  const slash = text.lastIndexOf('/');
  const colon = text.lastIndexOf(':');
  const hasTag = colon > slash;
  const repository = hasTag ? text.slice(0, colon) : text;
  const tag = hasTag ? text.slice(colon + 1) : 'latest';
  if (!TAG.test(tag)) throw inputError(`${what} "${text}": "${tag}" is not a valid tag`, hint);
  if (repository.length === 0 || repository.length > NAME_MAX) throw inputError(`${what} "${text}": the repository name must have 1 to ${NAME_MAX} characters`, hint);
  const parts = repository.split('/');
  const first = parts[0]!;
  const firstIsHost = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  for (const [i, part] of parts.entries()) {
    const ok = i === 0 && firstIsHost ? HOST.test(part) : COMPONENT.test(part);
    if (!ok) throw inputError(`${what} "${text}": "${part}" is not a valid repository name component`, hint);
  }
  return { repository, tag };
}

export function formatReference(ref: ImageReference): string {
  return `${ref.repository}:${ref.tag}`;
}
