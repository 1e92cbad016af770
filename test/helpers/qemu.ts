/**
 * Boots an image in qemu-system-x86_64 under TCG and watches the serial console as a stream (a prompt
 * such as "login: " has no newline, so lines are not waited for). `-snapshot` keeps the image
 * untouched; a hard timeout kills the guest; the whole console log is kept on failure. -nographic
 * (not -display none) matters: it is what makes SeaBIOS mirror its screen to the serial port.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTool } from './oracles.js';

export const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
export const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';
export const BOOT_LOG_DIR = join(tmpdir(), 'tsdib-boot-logs');

export interface BootOptions {
  /** Name used for the log file. */
  name: string;
  disk?: { path: string; format: 'raw' | 'qcow2' | 'vpc' | 'vmdk' | 'vdi'; interface?: 'virtio' | 'ide' };
  firmware?: 'bios' | 'uefi';
  kernel?: string;
  initrd?: string;
  append?: string;
  /** What to wait for on the serial console. */
  expect: RegExp;
  timeoutMs?: number;
  memoryMiB?: number;
}

export interface BootResult {
  matched: boolean;
  /** Everything the guest printed on its serial console. */
  log: string;
  /** Where the log was saved (always written, so a failure can be read after the run). */
  logPath: string;
  reason: 'matched' | 'timeout' | 'exited';
}

export function qemuArgs(o: BootOptions, varsCopy?: string): string[] {
  const args = ['-machine', 'q35,accel=tcg', '-m', String(o.memoryMiB ?? 512), '-nographic', '-serial', 'stdio'];
  args.push('-monitor', 'none', '-nic', 'none', '-no-reboot', '-snapshot');
  if (o.firmware === 'uefi') {
    args.push('-drive', `if=pflash,format=raw,readonly=on,file=${OVMF_CODE}`);
    args.push('-drive', `if=pflash,format=raw,file=${varsCopy}`);
  }
  if (o.disk) args.push('-drive', `file=${o.disk.path},format=${o.disk.format},if=${o.disk.interface ?? 'virtio'}`);
  if (o.kernel) args.push('-kernel', o.kernel);
  if (o.initrd) args.push('-initrd', o.initrd);
  if (o.append) args.push('-append', o.append);
  return args;
}

export function boot(o: BootOptions): Promise<BootResult> {
  const qemu = findTool('qemu-system-x86_64');
  if (!qemu) throw new Error('qemu-system-x86_64 not installed');
  mkdirSync(BOOT_LOG_DIR, { recursive: true });
  const logPath = join(BOOT_LOG_DIR, `${o.name.replace(/[^\w.-]+/g, '_')}.log`);
  let varsCopy: string | undefined;
  if (o.firmware === 'uefi') {
    varsCopy = join(BOOT_LOG_DIR, `${o.name.replace(/[^\w.-]+/g, '_')}.vars.fd`);
    copyFileSync(OVMF_VARS, varsCopy); // OVMF writes its variables: each boot gets a private copy
  }
  const child = spawn(qemu, qemuArgs(o, varsCopy), { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  return new Promise((resolve) => {
    let settled = false;
    const finish = (reason: BootResult['reason']) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      writeFileSync(logPath, log);
      resolve({ matched: reason === 'matched', log, logPath, reason });
    };
    const timer = setTimeout(() => finish('timeout'), o.timeoutMs ?? 300_000);
    child.stdout.on('data', (chunk: Buffer) => {
      log += chunk.toString('latin1');
      if (o.expect.test(log)) finish('matched');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      log += chunk.toString('latin1');
    });
    child.on('exit', () => finish(o.expect.test(log) ? 'matched' : 'exited'));
  });
}
