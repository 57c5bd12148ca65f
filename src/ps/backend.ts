// Placeholder until the PowerShell backend (issue 3) lands: it says plainly that it is missing.
import type { Backend } from '../backend.js';
import { BackendError } from '../errors.js';

export async function openPowerShellBackend(): Promise<Backend> {
  throw new BackendError('the PowerShell backend is not built yet: use --backend linux');
}
