/**
 * The public entry point as a user's program sees it: `import ... from 'tsdib'` resolved by Node
 * through package.json "exports" to the built dist/ (npm test builds first). This catches an export
 * missing from src/index.ts or a broken exports map, which source-level tests cannot see.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

test("import from 'tsdib' resolves the built library, and the README's layout example works", () => {
  const program = `
    import { planTable, writeTable, readTable, MemoryDisk, parseSize, FileTree, bytesBody, planFat } from 'tsdib';
    const size = parseSize('1GiB');
    const plan = planTable({ label: 'gpt', diskSize: size, seed: 'ci', partitions: [
      { name: 'ESP', size: '550MiB', type: 'EF00' }, { name: 'root', size: '100%', type: '8304' } ] });
    const disk = new MemoryDisk(size);
    writeTable(disk, plan.table);
    const back = readTable(disk).table;
    const tree = new FileTree();
    tree.addFile('/EFI/BOOT/BOOTX64.EFI', bytesBody(new Uint8Array(10)));
    console.log(JSON.stringify({ scheme: back.scheme, names: back.partitions.map((p) => p.name), fat: planFat(tree, {}).geometry.type }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', program], { cwd: root, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual({ scheme: 'gpt', names: ['ESP', 'root'], fat: 12 });
});
