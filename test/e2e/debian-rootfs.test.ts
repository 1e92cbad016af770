/**
 * The Debian rootfs that end-to-end tests use carries what they must see survive: POSIX ACLs, a
 * binary security.capability xattr, setuid binaries, non-root groups and device nodes. Checked with
 * GNU tar, so a later test that finds one missing in an image blames the image, not the fixture.
 */
import { describe, expect, test } from 'vitest';
import { debianRootfs } from '../helpers/debian.js';
import { haveTools, runTool } from '../helpers/oracles.js';

describe.runIf(haveTools('mmdebstrap', 'tar'))('Debian rootfs fixture (mmdebstrap --mode=unshare)', () => {
  test('has ACLs, capabilities, setuid files, non-root groups and devices', { timeout: 900_000 }, () => {
    const tar = debianRootfs();
    const listing = runTool('tar', ['--xattrs', '--xattrs-include=*', '--acls', '-tvvf', tar]).stdout;
    expect(listing).toMatch(/system\.posix_acl_access/);
    expect(listing).toMatch(/security\.capability/);
    expect(listing).toMatch(/^-rwsr-xr-x\s+0\/0 .* \.\/usr\/bin\/passwd$/m);
    expect(listing).toMatch(/^-rw-r-----\s+0\/42 .* \.\/etc\/shadow$/m); // group shadow
    expect(listing).toMatch(/^c.* \.\/dev\/null$/m);
  });
});
