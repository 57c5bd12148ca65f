// Recorded shape: `porttop serve --backend ps` on Linux, with a real pwsh whose Windows-only commands
// (Get-NetTCPConnection, netsh) answer with recorded shapes from the PortTopFakeWindows module; the
// process lookups (Get-Process) are real. The collection thread drives the PowerShell session; the
// usable pool subtracts the recorded Hyper-V exclusions; SIGTERM ends serve and its PowerShell.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { NODE_PROCESS_NAME, startHolder } from '../helpers/children.js';
import { FIXTURES_DIR, requirePwsh, waitForPidGone } from '../ps/pwsh.js';
import { get, sampleValue, startExporter, waitFor } from './exporter.js';
import { descendants } from '../helpers/descendants.js';

const CONNECTIONS = 40;

describe('recorded shape: porttop serve --backend ps (real pwsh, recorded Windows command output)', { skip: process.platform !== 'linux' && 'finds the pwsh children through /proc; Windows runs the real cmdlets elsewhere' }, () => {
  it('exports the recorded connections of a real process, the usable pool without the exclusions, and leaves no PowerShell after SIGTERM', async (t) => {
    const pwsh = requirePwsh(t);
    if (!pwsh) return;
    // a real process for Get-Process to find; the rows say it holds 40 connections to 10.0.0.1:443
    const owner = await startHolder('ready(null); setInterval(() => {}, 1000);');
    const rows = Array.from({ length: CONNECTIONS }, (_, i) => ({
      LocalAddress: '10.0.0.5', LocalPort: 49152 + i, RemoteAddress: '10.0.0.1', RemotePort: 443, State: 5, OwningProcess: owner.pid,
    }));
    const env = { PORTTOP_PWSH: pwsh, PSModulePath: join(FIXTURES_DIR, 'modules'), PORTTOP_FAKE_TCP_JSON: JSON.stringify(rows), PORTTOP_FAKE_UDP_JSON: '[]',
      // a Hyper-V machine's reservations: 100 ports and 150 ports (overlapping by 50) inside 49152-65535
      PORTTOP_FAKE_NETSH_EXCLUDED: '\nProtocol tcp Port Exclusion Ranges\n\nStart Port    End Port\n----------    --------\n     50000       50099\n     50050       50199     *\n\n* - Administered port exclusions.\n',
    };
    const saved = { ...process.env };
    Object.assign(process.env, env);
    let exporter;
    try {
      exporter = await startExporter(['--backend', 'ps', '--interval', '2']);
    } finally {
      process.env = saved;
    }
    try {
      const body = await waitFor('a collection through PowerShell', async () => {
        const scrape = await get(`${exporter.base}/metrics`);
        // 0 until the first collection lands
        return sampleValue(scrape.body, 'porttop_last_collect_timestamp_seconds')! > 0 ? scrape.body : undefined;
      }, 90_000, 500);
      assert.equal(sampleValue(body, 'porttop_dynamic_range_ports{proto="tcp",family="ipv4"}'), 16384);
      const usable = sampleValue(body, 'porttop_dynamic_range_usable_ports{proto="tcp",family="ipv4"}')!;
      assert.equal(usable, 16384 - 200, 'the recorded exclusions (50000-50199, overlaps once) are subtracted');
      assert.equal(sampleValue(body, 'porttop_dynamic_range_usable_ports{proto="tcp",family="ipv6"}'), 16384);
      assert.equal(sampleValue(body, 'porttop_ephemeral_ports_in_use{proto="tcp",family="ipv4"}'), CONNECTIONS);
      assert.equal(sampleValue(body, `porttop_process_ephemeral_ports{pid="${owner.pid}",process="${NODE_PROCESS_NAME}"}`), CONNECTIONS);
      assert.equal(sampleValue(body, 'porttop_destination_ephemeral_ports{proto="tcp",family="ipv4",destination="10.0.0.1:443"}'), CONNECTIONS);
      assert.ok(sampleValue(body, `porttop_process_handles{pid="${owner.pid}",process="${NODE_PROCESS_NAME}"}`)! > 0, 'handle count from the real Get-Process');

      const children = descendants(exporter.pid);
      assert.ok(children.length > 0, 'serve runs PowerShell');
      assert.deepEqual(await exporter.stop('SIGTERM'), { code: 0, signal: null }, exporter.stderr());
      for (const pid of children) assert.equal(await waitForPidGone(pid, 10_000), true, `PowerShell process ${pid} ended with serve`);
    } finally {
      await exporter.stop('SIGKILL');
      await owner.stop();
    }
  });
});
