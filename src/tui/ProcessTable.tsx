// The process table, windowed: only the rows between offset and offset + height are drawn, each as
// one line of text, so a thousand processes cost what twenty do. (ink-table would draw every row it
// is given, with a rule between each; see docs/tui.md.)
import React from 'react';
import { Box, Text } from 'ink';
import type { ProcessRow } from '../core/aggregate.js';
import type { TableLayout } from './draw.js';

export interface ProcessTableProps {
  rows: readonly ProcessRow[];
  layout: TableLayout;
  selectedIndex: number;
  /** the first row drawn */
  offset: number;
  /** how many rows fit under the column header */
  height: number;
  /** what to say when there are no rows */
  emptyText: string;
}

export function ProcessTable({ rows, layout, selectedIndex, offset, height, emptyText }: ProcessTableProps) {
  const visible = rows.slice(offset, offset + Math.max(0, height));
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">{layout.header}</Text>
      {visible.map((row, index) => {
        const selected = offset + index === selectedIndex;
        return (
          <Text key={row.pid} inverse={selected} color={row.handleSuspect ? 'yellow' : undefined} wrap="truncate">
            {layout.line(row, selected)}
          </Text>
        );
      })}
      {rows.length === 0 && <Text dimColor>{emptyText}</Text>}
    </Box>
  );
}
