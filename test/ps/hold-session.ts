// A small porttop-like process for the cleanup tests: opens a session, starts a call that hangs, and
// prints `READY <pwsh pid> <spawned pid>`. The test then signals this process (or asks it to crash) and checks that
// no pwsh is left. Usage: node --import tsx test/ps/hold-session.ts <pwsh> [crash]
import { PowerShellSession } from '../../src/ps/session.js';
import { TEST_SCRIPTS_DIR } from './pwsh.js';

const [executable, mode] = process.argv.slice(2);
const session = new PowerShellSession({ executable: executable!, scriptsDir: TEST_SCRIPTS_DIR, timeoutMs: 120_000 });
await session.call('Echo-PortTopText', { Text: 'warm' });
void session.call('Wait-PortTopSleep', { Seconds: 600 }).catch(() => undefined);
process.stdout.write(`READY ${session.pid} ${session.spawnedPid}\n`);
if (mode === 'crash') setTimeout(() => { throw new Error('deliberate uncaught error'); }, 200);
