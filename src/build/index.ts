/** `tsdib build` as a library: DIB elements run without root, packed, assembled. */
export { build, buildLayout, defaultArch, type BuildOptions, type BuildResult } from './build.js';
export { CHROOT_MODES, CHROOT_SETUP, NO_USERNS_VAR, probeUserns, selectExecutor, type ChrootMode, type Executor } from './executor.js';
