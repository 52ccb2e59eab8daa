/**
 * @module CPU time the PostgreSQL server spent, read from /proc: the database's share of an
 * order, which the benchmark process cannot measure with process.cpuUsage().
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** CPU milliseconds of the PostgreSQL postmaster and its children (backends, writers); NaN without /proc. */
export const postgresCpuMs = (dataDir: string): number => {
  try {
    const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const ticksPerSecond = 100; // USER_HZ, 100 on every mainstream Linux
    let ticks = 0;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue; // exited meanwhile
      }
      // Fields after "(comm)": state ppid ... utime (14th overall) stime (15th).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(entry);
      const ppid = Number(fields[1]);
      if (pid !== postmaster && ppid !== postmaster) continue;
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return (ticks / ticksPerSecond) * 1000;
  } catch {
    return Number.NaN;
  }
};
