// The PID-reuse race made real: in a private PID namespace, porttop matches a listener's socket to its
// PID, the listener is killed and `sleep` is started with the same PID (via ns_last_pid) before porttop
// checks the identity again. porttop must leave the newcomer alone and say why.
// PORTTOP_TEST_SCAN_PAUSE_DIR makes the scan wait, after the fd table, until the test says resume.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { KillJson } from '../../src/commands/kill.js';
import { BIN } from '../helpers/cli.js';

const ROOT = process.getuid?.() === 0;
const canUnshare = () => ROOT && spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0;

const SCRIPT = `
set -u
dir="$1"; node="$2"; bin="$3"
python3 -c 'import socket,time,sys; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(60)' > "$dir/port" &
listener=$!
for i in $(seq 100); do [ -s "$dir/port" ] && break; sleep 0.05; done
port=$(cat "$dir/port")
PORTTOP_TEST_SCAN_PAUSE_DIR="$dir" "$node" "$bin" kill "$port" --json > "$dir/out" 2> "$dir/err" &
porttop=$!
for i in $(seq 200); do [ -e "$dir/paused-$listener" ] && break; sleep 0.05; done
[ -e "$dir/paused-$listener" ] || { echo "porttop never paused on $listener"; ls "$dir"; exit 90; }
kill -9 "$listener"; wait "$listener" 2>/dev/null
echo $((listener - 1)) > /proc/sys/kernel/ns_last_pid
sleep 60 &
newcomer=$!
[ "$newcomer" = "$listener" ] || { echo "newcomer got PID $newcomer, not $listener"; exit 91; }
touch "$dir/resume"
wait "$porttop"; code=$?
if kill -0 "$newcomer" 2>/dev/null; then alive=yes; else alive=no; fi
kill "$newcomer"
echo "{\\"code\\": $code, \\"pid\\": $listener, \\"port\\": $port, \\"newcomerAlive\\": \\"$alive\\"}"
`;

describe('the PID-reuse race', { skip: !canUnshare() && 'needs root and unshare --pid' }, () => {
  it('a PID reused between the fd scan and the identity check is left alone, and porttop says why', () => {
    const dir = mkdtempSync(join(tmpdir(), 'porttop-reuse-'));
    try {
      const run = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'bash', '-c', SCRIPT, 'race', dir, process.execPath, BIN], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(run.status, 0, run.stdout + run.stderr);
      const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as { code: number; pid: number; port: number; newcomerAlive: string };
      assert.equal(result.newcomerAlive, 'yes', 'the sleep that took the PID was not signalled');
      const out = JSON.parse(spawnSync('cat', [join(dir, 'out')], { encoding: 'utf8' }).stdout) as KillJson;
      assert.deepEqual(out.processes, [], 'nothing was signalled');
      assert.equal(result.code, 1, 'nothing verified to stop');
      assert.ok(out.warnings.some((warning) => warning.includes(`PID ${result.pid} exited or was reused while porttop read it: left out`)), JSON.stringify(out.warnings));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
