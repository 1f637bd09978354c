// The Docker CLI hands a plugin an abstract unix socket in DOCKER_CLI_PLUGIN_SOCKET and
// closes it to say "terminate now" (e.g. on Ctrl-C when its stdout is not a terminal).
import net from 'node:net';

/** The connection it watches (undefined when no socket is named): its 'close' ends the watch. */
export function watchPluginSocket(env: NodeJS.ProcessEnv, onClose: () => void): net.Socket | undefined {
  const name = env.DOCKER_CLI_PLUGIN_SOCKET;
  if (!name) return undefined;
  // Go writes abstract socket names with a leading '@'; Node wants a leading NUL.
  const address = name.startsWith('@') ? '\0' + name.slice(1) : name;
  let connected = false;
  const socket = net.createConnection(address, () => {
    connected = true;
  });
  socket.unref(); // never keeps the plugin alive on its own
  socket.on('data', () => {});
  socket.on('error', () => {});
  socket.on('close', () => {
    if (connected) onClose();
  });
  return socket;
}
