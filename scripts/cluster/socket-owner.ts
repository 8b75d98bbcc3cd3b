import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * Which process holds the client end of a loopback TCP connection, read from Linux's /proc: the connection's inode
 * from /proc/net/tcp{,6} (the row whose local port is the client's port and whose remote port is ours), then the
 * process among `pids` with that socket among its file descriptors.
 *
 * Why: every Switchboard process of a cluster talks to the same emulators with the same app credentials, so nothing
 * in a request says which process sent it. Asking the kernel at accept time needs no change to the product or the
 * emulators, and a socket belongs to exactly one process (Node does not share them with children).
 * Elsewhere than Linux it answers undefined (the cluster then cannot attribute requests; nothing else depends on it).
 */
export function socketOwner(
  clientPort: number,
  serverPort: number,
  pids: readonly number[],
): number | undefined {
  const inode = socketInode(clientPort, serverPort);
  if (inode === undefined) return undefined;
  const needle = `socket:[${inode}]`;
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // exited, or not Linux
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === needle) return pid;
      } catch {
        // the descriptor closed while we looked
      }
    }
  }
  return undefined;
}

function socketInode(clientPort: number, serverPort: number): string | undefined {
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      if (portOf(cols[1]!) === clientPort && portOf(cols[2]!) === serverPort && cols[9] !== '0')
        return cols[9];
    }
  }
  return undefined;
}

const portOf = (address: string): number => parseInt(address.slice(address.lastIndexOf(':') + 1), 16);
