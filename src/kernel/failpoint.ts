/**
 * @module Failpoints: named places where a test can make the process die on purpose.
 *
 * Crash recovery is only believable if it is tested against a real crash. A failpoint is a
 * no-op unless its name is listed in SEAM_FAILPOINTS; then the process kills itself with
 * SIGKILL, as an OOM killer or a power cut would: no cleanup, no graceful shutdown.
 */
const armed = new Set((process.env['SEAM_FAILPOINTS'] ?? '').split(',').map((name) => name.trim()).filter(Boolean));

export const failpoint = (name: string): void => {
  if (armed.has(name)) process.kill(process.pid, 'SIGKILL');
};
