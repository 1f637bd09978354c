// Every command, listed explicitly: no folder scanning at run time (it would not
// survive bundling into one executable).
import type { JindrCommand } from '../command.ts';
import { startCommand } from './start.ts';
import { stopCommand } from './stop.ts';
import { restartCommand } from './restart.ts';
import { statCommand } from './stat.ts';
import { infoCommand } from './info.ts';
import { logsCommand } from './logs.ts';
import { lsCommand } from './ls.ts';
import { lsiCommand } from './lsi.ts';
import { inspectCommand } from './inspect.ts';
import { rmiCommand } from './rmi.ts';
import { rmrCommand } from './rmr.ts';
import { gcCommand } from './gc.ts';
import { cpCommand } from './cp.ts';
import { cpeCommand } from './cpe.ts';
import { pushCommand } from './push.ts';
import { completionCommand } from './completion.ts';
import { duCommand } from './du.ts';
import { pruneCommand } from './prune.ts';
import { indexCommand } from './index-cmd.ts';
import { mirrorCommand } from './mirror.ts';
import { uiCommand } from './ui.ts';
import { connectCommand } from './connect.ts';
import { saveCommand } from './save.ts';
import { loadCommand } from './load.ts';

export const commands: readonly JindrCommand[] = [
  startCommand,
  stopCommand,
  restartCommand,
  statCommand,
  infoCommand,
  logsCommand,
  lsCommand,
  lsiCommand,
  inspectCommand,
  rmiCommand,
  rmrCommand,
  gcCommand,
  pruneCommand,
  duCommand,
  indexCommand,
  cpCommand,
  cpeCommand,
  saveCommand,
  loadCommand,
  pushCommand,
  mirrorCommand,
  connectCommand,
  uiCommand,
  completionCommand,
];
