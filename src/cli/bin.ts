// The executable's entry: runs the command line of this process (process-main.ts). Loading
// process-main.ts reads nothing of the process: only runProcess does, when called (so
// bench/snapshot can evaluate that module at build time into a V8 start-up snapshot).
import { runProcess } from './process-main.ts';

runProcess();
