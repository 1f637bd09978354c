// Loaded first in every ava worker (package.json's ava.require). The worker was started with
// NODE_COMPILE_CACHE (ava.environmentVariables), so Node keeps the code it compiles for the
// test files, their helpers and src/ on disk, and the next worker loads it instead of compiling
// it again: the unit tests took 128 s of CPU instead of 180 (a warm cache; 155 cold). The
// variable goes from this process's environment now that it has been read, so the processes
// a test starts (the built executable, the docker CLI) run as they do for a user.
delete process.env.NODE_COMPILE_CACHE;
