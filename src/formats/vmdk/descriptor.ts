/**
 * The embedded text descriptor of a monolithic VMDK (VMware "Virtual Disk Format 1.1",
 * "The Descriptor File"): one SPARSE extent, the file itself.
 */

export type VmdkSubformat = 'monolithicSparse' | 'streamOptimized';
export type VmdkAdapter = 'ide' | 'lsilogic' | 'buslogic' | 'legacyESX';

export interface VmdkDescriptor {
  /** Content id: 32 bits, derived from the seed. */
  cid: number;
  createType: VmdkSubformat;
  capacitySectors: number;
  /** The extent's file name as written in the descriptor: the image's own base name. */
  extentFile: string;
  adapter: VmdkAdapter;
}

/** BIOS-style geometry as qemu and VMware write it: 16 heads (255 for SCSI adapters), 63 sectors. */
function geometry(capacity: number, adapter: VmdkAdapter): { cylinders: number; heads: number; sectors: number } {
  const heads = adapter === 'ide' ? 16 : 255;
  const sectors = 63;
  return { cylinders: Math.min(16383, Math.floor(capacity / (heads * sectors))), heads, sectors };
}

export function encodeVmdkDescriptor(d: VmdkDescriptor): string {
  const g = geometry(d.capacitySectors, d.adapter);
  return [
    '# Disk DescriptorFile',
    'version=1',
    `CID=${(d.cid >>> 0).toString(16).padStart(8, '0')}`,
    'parentCID=ffffffff',
    `createType="${d.createType}"`,
    '',
    '# Extent description',
    `RW ${d.capacitySectors} SPARSE "${d.extentFile.replace(/"/g, '')}"`,
    '',
    '# The Disk Data Base',
    '#DDB',
    '',
    'ddb.virtualHWVersion = "4"',
    `ddb.geometry.cylinders = "${g.cylinders}"`,
    `ddb.geometry.heads = "${g.heads}"`,
    `ddb.geometry.sectors = "${g.sectors}"`,
    `ddb.adapterType = "${d.adapter}"`,
    '',
  ].join('\n');
}

/** The createType of a descriptor's text, if it names one. */
export function descriptorCreateType(text: string): string | undefined {
  return /^createType\s*=\s*"([^"]*)"/m.exec(text)?.[1];
}
