// Loaded first in every ava worker (package.json's ava.require). The worker was started with
// NODE_COMPILE_CACHE (ava.environmentVariables), so Node keeps the code it compiles for the
// test files, their helpers and src/ on disk, and the next worker loads it instead of compiling
// it again: the unit tests took 128 s of CPU instead of 180 (a warm cache; 155 cold). The
// variable goes from this process's environment now that it has been read, so the processes
// a test starts (the built executable, the docker CLI) run as they do for a user.
delete process.env.NODE_COMPILE_CACHE;

// JINDR_TEST_CPU_LOG=FILE: at exit each worker appends a line to FILE: its test file, the
// CPU seconds of the worker itself and of the processes it ran (the executable, the docker
// CLI and theirs, once reaped; not containers or the engine), and its wall-clock seconds.
// .ci/run sets it and prints the test files that cost the most.
const cpuLog = process.env.JINDR_TEST_CPU_LOG;
delete process.env.JINDR_TEST_CPU_LOG;
if (cpuLog) {
  const { appendFileSync, readFileSync } = await import('node:fs');
  const { createRequire } = await import('node:module');
  const { relative } = await import('node:path');
  process.on('exit', () => {
    try {
      const avaOptions = createRequire(import.meta.url)(
        new URL('../../node_modules/ava/lib/worker/options.cjs', import.meta.url).pathname,
      ) as { get(): { file: string; projectDir: string } };
      const { file, projectDir } = avaOptions.get();
      const own = process.cpuUsage();
      // /proc/self/stat: fields 16 and 17 (cutime, cstime) are the reaped children's CPU in clock ticks.
      const stat = readFileSync('/proc/self/stat', 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const children = (Number(fields[13]) + Number(fields[14])) / 100;
      const line = [
        relative(projectDir, file.startsWith('file:') ? new URL(file).pathname : file),
        ((own.user + own.system) / 1e6).toFixed(1),
        children.toFixed(1),
        (performance.now() / 1000).toFixed(1),
      ];
      appendFileSync(cpuLog, `${line.join('\t')}\n`);
    } catch {
      // a diagnostic only: never fail a test run for it
    }
  });
}
