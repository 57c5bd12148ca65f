// The kill dialog: who is about to be stopped (a one-row ink-table: PID, NAME, PORTS), how, and then
// the outcome or the error, inside the dialog. Its keys are handled in viewState.ts.
import React from 'react';
import { Box, Text } from 'ink';
import { Table } from '@alcalzone/ink-table';
import { describeMethod, describePorts, type KillDialog } from './killDialog.js';

export interface KillDialogViewProps {
  dialog: Exclude<KillDialog, { phase: 'closed' }>;
  platform: 'linux' | 'windows';
}

export function KillDialogView({ dialog, platform }: KillDialogViewProps) {
  const { target } = dialog;
  const subject = [{ PID: target.pid, NAME: target.name, PORTS: describePorts(dialog.ports) }];
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={dialog.phase === 'error' ? 'red' : 'yellow'} paddingX={1}>
      <Text bold>{dialog.force ? 'Force kill' : 'Kill'} process</Text>
      <Table data={subject} />
      <DialogBody dialog={dialog} platform={platform} />
    </Box>
  );
}

function DialogBody({ dialog, platform }: Pick<KillDialogViewProps, 'dialog' | 'platform'>) {
  const method = describeMethod(dialog.force, platform);
  switch (dialog.phase) {
    case 'confirm':
      return <Text>Stop PID {dialog.target.pid} ({method})? <Text bold>y</Text> = yes, any other key = cancel</Text>;
    case 'working':
      return <Text color="yellow">stopping PID {dialog.target.pid} ({method})...</Text>;
    case 'result':
      return <Text color="green">{dialog.result.outcome}: {dialog.result.message}  (any key closes)</Text>;
    case 'error':
      return <Text color="red">error: {dialog.message}  (any key closes)</Text>;
  }
}
