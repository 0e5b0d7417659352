import { readdirSync, readFileSync } from 'node:fs';

/** The process and every process it started, children first found through /proc/<pid>/task/<tid>/children. */
export function processTree(pid: number): number[] {
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const current = queue.shift()!;
    found.push(current);
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${current}/task`);
    } catch {
      continue; // exited meanwhile
    }
    for (const tid of tasks) {
      try {
        queue.push(...readFileSync(`/proc/${current}/task/${tid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number));
      } catch {
        // the thread ended meanwhile
      }
    }
  }
  return found;
}

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  } catch {
    return 0; // exited meanwhile
  }
}

/**
 * Resident memory of the whole bot: its process and every process it started
 * (a database server it runs, for one), summed from /proc, in MB. Pages shared
 * between them count once per process, as `ps` would add them up.
 */
export function residentMemoryMb(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + statusKb(p, 'VmRSS'), 0) / 1024;
}

/** Peak resident memory (VmHWM) summed over the bot's processes alive now, in MB. */
export function peakResidentMemoryMb(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + statusKb(p, 'VmHWM'), 0) / 1024;
}
