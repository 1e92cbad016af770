import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { layoutFromEnv } from '../../src/layout/index.js';
import { error } from '../helpers/errors.js';
import { useTmpDir } from '../helpers/tmp.js';

const YAML = `- local_loop:
    name: image0
- partitioning:
    base: image0
    label: mbr
    partitions:
      - name: root
        flags: [boot]
        size: 100%
- mkfs:
    base: root
    name: mkfs_root
    type: ext4
    mount:
      mount_point: /
`;

describe('layoutFromEnv (DIB_BLOCK_DEVICE_CONFIG)', () => {
  const tmp = useTmpDir();

  test('unset or blank: no layout; inline YAML and file:// give the same layout', () => {
    expect(layoutFromEnv({})).toBeUndefined();
    expect(layoutFromEnv({ DIB_BLOCK_DEVICE_CONFIG: '  ' })).toBeUndefined();
    const file = join(tmp(), 'bd.yaml');
    writeFileSync(file, YAML);
    const inline = layoutFromEnv({ DIB_BLOCK_DEVICE_CONFIG: YAML });
    const fromFile = layoutFromEnv({ DIB_BLOCK_DEVICE_CONFIG: `file://${file}` });
    expect(inline?.source).toBe('DIB_BLOCK_DEVICE_CONFIG');
    expect(fromFile?.source).toBe(file);
    expect(fromFile?.entries).toEqual(inline?.entries);
    expect(inline?.graph.order).toEqual(['image0', 'root', 'mkfs_root', 'mount_mkfs_root']);
  });

  test('a file:// that does not exist is an input error naming the variable', () => {
    const e = error(() => layoutFromEnv({ DIB_BLOCK_DEVICE_CONFIG: 'file:///nonexistent/bd.yaml' }));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/DIB_BLOCK_DEVICE_CONFIG=file:\/\/\/nonexistent\/bd.yaml: no such file/);
  });
});
