/**
 * `podman load` takes both tarballs (the "loadable by docker/podman load"), in a private
 * storage directory (vfs driver, no daemon, nothing touched outside the test's temp dir): the names
 * are our targets, the image id is our config digest, the one layer is ours.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { writeDockerArchive, writeOciArchive } from '../../src/oci/writer.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';
import { imageTree } from './image-tree.js';

const EPOCH = 1700000000;
const tmp = useTmpDir();

function podman(dir: string, args: string[]) {
  const store = ['--root', join(dir, 'storage'), '--runroot', join(dir, 'run'), '--storage-driver', 'vfs', '--cgroup-manager', 'cgroupfs', '--events-backend', 'none'];
  return runTool('podman', [...store, ...args], { env: { ...process.env, TMPDIR: dir } });
}

describe.runIf(haveTools('podman'))('podman load', () => {
  test('loads NAME.docker.tar and NAME.oci.tar under their targets, with our config digest and layer', () => {
    const dir = tmp();
    const docker = writeDockerArchive(imageTree(), join(dir, 'img.docker.tar'), { epoch: EPOCH, target: 'tsdib/demo:docker' });
    const oci = writeOciArchive(imageTree(), join(dir, 'img.oci.tar'), { epoch: EPOCH, target: 'tsdib/demo:oci' });
    for (const [image, name] of [[docker, 'localhost/tsdib/demo:docker'], [oci, 'localhost/tsdib/demo:oci']] as const) {
      const load = podman(dir, ['load', '--quiet', '-i', image.path]);
      expect(load.status, load.stderr).toBe(0);
      expect(load.stdout).toContain(name);
      const inspect = podman(dir, ['image', 'inspect', name]);
      expect(inspect.status, inspect.stderr).toBe(0);
      const [info] = JSON.parse(inspect.stdout) as { Id: string; Architecture: string; Os: string; RootFS: { Layers: string[] } }[];
      expect(`sha256:${info!.Id}`).toBe(image.configDigest);
      expect(info!.RootFS.Layers).toEqual([image.layerDigest]);
      expect([info!.Os, info!.Architecture]).toEqual(['linux', 'amd64']);
    }
  });
});
