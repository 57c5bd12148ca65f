// The kill dialog: every process about to be stopped (an ink-table: PID, NAME, PORTS, COMMAND), how,
// and then the outcome per process and whether each port is free, or the error, inside the dialog.
// Its keys are handled in viewState.ts. Process text is escaped: it comes from other users' processes.
import React from 'react';
import { Box, Text } from 'ink';
import { Table } from '@alcalzone/ink-table';
import { escapeControl } from '../core/terminal.js';
import { describePortOutcome, type PortOutcome } from '../core/killplan.js';
import type { Platform } from '../core/model.js';
import { describeMethod, describePorts, type KillDialog } from './killDialog.js';

export interface KillDialogViewProps {
  dialog: Exclude<KillDialog, { phase: 'closed' }>;
  platform: Platform;
  /** columns for the command line */
  commandWidth?: number;
}

const clip = (text: string | null | undefined, width: number) => {
  const safe = escapeControl(text ?? '');
  return safe.length > width ? `${safe.slice(0, Math.max(0, width - 1))}~` : safe;
};

export function KillDialogView({ dialog, platform, commandWidth = 40 }: KillDialogViewProps) {
  const { target } = dialog;
  const subject = [
    { PID: target.pid, NAME: escapeControl(target.name), PORTS: describePorts(dialog.ports), COMMAND: clip(dialog.commandLine, commandWidth) },
    ...(dialog.also ?? []).map((other) => ({
      PID: other.pid,
      NAME: escapeControl(other.name),
      PORTS: describePorts(other.ports),
      COMMAND: other.refusal ? clip(`refused: ${other.refusal}`, commandWidth) : clip(other.commandLine, commandWidth),
    })),
  ];
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={dialog.phase === 'error' ? 'red' : 'yellow'} paddingX={1}>
      <Text bold>{dialog.force ? 'Force kill' : 'Kill'} process{subject.length > 1 ? `es (${subject.length} share the port)` : ''}</Text>
      <Table data={subject} />
      <DialogBody dialog={dialog} platform={platform} />
    </Box>
  );
}

/** Ports still held first (they matter), at most PORT_LINES lines, the rest counted. */
const PORT_LINES = 4;

function portLines(outcomes: readonly PortOutcome[], platform: Platform): { text: string; free: boolean }[] {
  const ordered = [...outcomes].sort((a, b) => Number(a.status === 'free') - Number(b.status === 'free'));
  const lines = ordered.slice(0, PORT_LINES).map((outcome) => ({ text: describePortOutcome(outcome, platform), free: outcome.status === 'free' }));
  const rest = ordered.slice(PORT_LINES);
  if (rest.length > 0) {
    const free = rest.every((outcome) => outcome.status === 'free');
    lines.push({ text: `and ${rest.length} more port${rest.length === 1 ? '' : 's'}${free ? ', all free' : ''}`, free });
  }
  return lines;
}

function DialogBody({ dialog, platform }: Pick<KillDialogViewProps, 'dialog' | 'platform'>) {
  const method = describeMethod(dialog.force, platform);
  const others = (dialog.also ?? []).filter((other) => other.refusal === null).map((other) => other.pid);
  const pids = [dialog.target.pid, ...others].join(', ');
  switch (dialog.phase) {
    case 'confirm':
      return <Text>Stop PID {pids} ({method})? <Text bold>y</Text> = yes, any other key = cancel</Text>;
    case 'working':
      return <Text color="yellow">stopping PID {pids} ({method})...</Text>;
    case 'result':
      return (
        <Box flexDirection="column">
          <Text color="green">PID {dialog.result.pid} {escapeControl(dialog.result.name)}: {escapeControl(dialog.result.message)}  (any key closes)</Text>
          {dialog.others.map((other) => (
            <Text key={other.pid} color={other.outcome === 'stopped' || other.outcome === 'gone' ? 'green' : 'red'}>PID {other.pid}: {escapeControl(other.message)}</Text>
          ))}
          {portLines(dialog.portsAfter ?? [], platform).map((line, index) => (
            <Text key={index} color={line.free ? 'green' : 'red'}>{escapeControl(line.text)}</Text>
          ))}
        </Box>
      );
    case 'error':
      return <Text color="red">error: {escapeControl(dialog.message)}  (any key closes)</Text>;
  }
}
