// Opens the backend a command asked for (--backend auto|linux|ps). Kept apart from backend.ts, the
// interface the backends implement, so that no backend imports the file that imports it.
import { resolveBackendName, type Backend, type BackendChoice } from './backend.js';

/** Loads only the chosen backend's code, so `who --json` on Linux never loads node-powershell. */
export async function openBackend(choice: BackendChoice): Promise<Backend> {
  const name = resolveBackendName(choice);
  if (name === 'linux') {
    const { LinuxBackend } = await import('./linux/backend.js');
    return new LinuxBackend();
  }
  const { openPowerShellBackend } = await import('./ps/backend.js');
  return openPowerShellBackend();
}
