// freePorts: ports that can be bound now, each tried by binding it (and releasing it at once).
import type { Backend } from '../backend.js';
import { familyOfAddress } from '../core/bindconflict.js';
import { freePortCandidates } from '../core/freeports.js';
import type { Protocol } from '../core/model.js';
import { portsOfSpans, type PortSpan } from '../core/validate.js';
import { tryBind } from '../probe/bind.js';
import { excludedRangesOf } from './why.js';

export interface FreeRequest {
  /** undefined: 1024-65535 minus the dynamic range */
  span: PortSpan | undefined;
  count: number;
  host: string;
  protocol: Protocol;
}

/** The shape of `porttop free --json` and of the library's freePorts(). */
export interface FreeResult {
  host: string;
  proto: Protocol;
  /** ascending; fewer than asked for when the range ran out */
  ports: number[];
  /** e.g. ports offered from inside the dynamic range */
  warnings: string[];
}

export async function freePortsWith(backend: Backend, request: FreeRequest): Promise<FreeResult> {
  const family = familyOfAddress(request.host);
  const [snapshot, ranges, excluded] = await Promise.all([
    // which ports have sockets is all free needs: no owner scan
    backend.snapshot(request.span ? { localPorts: portsOfSpans([request.span]), owners: false } : { owners: false }),
    backend.getRanges(),
    excludedRangesOf(backend),
  ]);
  const dynamic = ranges.find((range) => range.protocol === request.protocol && range.family === family);
  const ports: number[] = [];
  const inDynamic: number[] = [];
  for (const candidate of freePortCandidates({ protocol: request.protocol, family, span: request.span, dynamic, excluded, endpoints: snapshot.endpoints })) {
    const attempt = await tryBind({ port: candidate.port, host: request.host, protocol: request.protocol });
    if (!attempt.bound) continue;
    ports.push(candidate.port);
    if (candidate.inDynamicRange) inDynamic.push(candidate.port);
    if (ports.length >= request.count) break;
  }
  const warnings =
    inDynamic.length > 0 && dynamic
      ? [`${inDynamic.length === 1 ? `port ${inDynamic[0]} is` : `${inDynamic.length} ports are`} inside the dynamic range ${dynamic.start}-${dynamic.end}: outgoing connections may take ${inDynamic.length === 1 ? 'it' : 'them'} before your server binds`]
      : [];
  return { host: request.host, proto: request.protocol, ports, warnings };
}
