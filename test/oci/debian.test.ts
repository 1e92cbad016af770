/**
 * A real Debian rootfs (mmdebstrap, rootless) through our OCI and docker writers and back through the
 * container reader: every path, type, mode, owner, time, xattr (capabilities, ACLs), link and body
 * equals the tree read straight from the rootfs tarball. skopeo checks the OCI archive's digests.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readContainerRootfs } from '../../src/oci/reader.js';
import { writeDockerArchive, writeOciArchive } from '../../src/oci/writer.js';
import { readRootfs } from '../../src/tar/index.js';
import { debianRootfs } from '../helpers/debian.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';
import { summarize } from './tree-summary.js';

const EPOCH = 1700000000;
const tmp = useTmpDir();

describe.runIf(haveTools('mmdebstrap', 'skopeo'))('Debian rootfs → OCI/docker image → FileTree', () => {
  test('the tree read from our image equals the tree read from the rootfs tarball', async () => {
    const dir = tmp();
    const direct = await readRootfs([debianRootfs()], { tmpDir: dir });
    try {
      const want = summarize(direct.tree);
      expect(Object.keys(want).length).toBeGreaterThan(1000);
      const oci = writeOciArchive(direct.tree, join(dir, 'debian.oci.tar'), { epoch: EPOCH, target: 'debian:bookworm' });
      // skopeo copy reads every blob and checks it against its digest.
      const copy = runTool('skopeo', ['copy', '--quiet', `oci-archive:${oci.path}:bookworm`, `dir:${join(dir, 'copied')}`]);
      expect(copy.status, copy.stderr).toBe(0);
      const docker = writeDockerArchive(direct.tree, join(dir, 'debian.docker.tar'), { epoch: EPOCH, target: 'debian:bookworm' });
      expect(docker.layerDigest).toBe(oci.layerDigest);
      for (const image of [oci.path, docker.path]) {
        const back = await readContainerRootfs(image, { tmpDir: dir });
        try {
          expect(summarize(back.tree)).toEqual(want);
        } finally {
          back.cleanup();
        }
      }
    } finally {
      direct.cleanup();
    }
  }, 300_000);
});
