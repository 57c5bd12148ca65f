// `?`: the key bindings, read from the same data the handlers match against, as a small ink-table
// (nine rows: ink-table's rules between rows are affordable here, unlike in the process table).
import React from 'react';
import { Box, Text } from 'ink';
import { Table } from '@alcalzone/ink-table';
import { HANDLE_SUSPECT_THRESHOLD } from '../core/handles.js';
import { GLOBAL_KEYS, keysOf, LIST_ACTION_HELP, LIST_KEYS } from './keys.js';
import { SUSPECT_MARK } from './draw.js';

export function HelpScreen() {
  const rows = LIST_ACTION_HELP.map(([what, actions]) => {
    // "s F6 / S / h" lines up with "next sort column / reverse / by handles"
    const keys = what.includes(' / ') ? actions.map((action) => keysOf(LIST_KEYS, [action])).join(' / ') : keysOf(LIST_KEYS, actions);
    return { KEYS: actions.includes('quit') ? `${keys} ${keysOf(GLOBAL_KEYS, ['quit'])}` : keys, ACTION: what };
  });
  return (
    <Box flexDirection="column">
      <Text bold>porttop keys (any key returns)</Text>
      <Table data={rows} />
      <Text>
        {SUSPECT_MARK} after HANDLES: more than {HANDLE_SUSPECT_THRESHOLD} handles (suspected leak). In a dialog, y confirms and any other key cancels.
      </Text>
    </Box>
  );
}
