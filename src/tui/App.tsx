// The live view: header, windowed process table, status line and key hints, with the help screen,
// the filter prompt, the detail pane and the kill dialog on top. The backend comes in as a prop; the
// analysis of a snapshot happens once, in the refresh loop; sorting and filtering are memoized, so a
// key press costs a sort of a few hundred rows at most, never a pass over the sockets.
import React, { useEffect, useMemo, useRef, useState } from 'react';
import { Box, Text, useApp } from 'ink';
import type { Backend } from '../backend.js';
import { sortProcessRows, type SortKey } from '../core/aggregate.js';
import { HANDLE_SUSPECT_THRESHOLD } from '../core/handles.js';
import {
  clampIndex,
  endpointsOfProcess,
  filterRows,
  indexOfSelection,
  moveIndex,
  nextSortKey,
  parseViewFilter,
  portsToName,
  scrollOffset,
  stepInterval,
  type Move,
} from '../core/view.js';
import { DetailPane, detailRows } from './DetailPane.js';
import { clock, fit, layoutTable, SUSPECT_MARK } from './draw.js';
import { Header, headerHeight } from './Header.js';
import { HelpScreen } from './HelpScreen.js';
import { actionFor, DETAIL_KEYS, FILTER_KEYS, GLOBAL_KEYS, LIST_KEYS } from './keys.js';
import { afterKill, afterKillError, CLOSED, killOptions, openKillDialog, type KillDialog } from './killDialog.js';
import { KillDialogView } from './KillDialogView.js';
import { ProcessTable } from './ProcessTable.js';
import { useKeys } from './useKeys.js';
import { useSnapshot } from './useSnapshot.js';
import { useTerminalSize, type TerminalSize } from './useTerminalSize.js';
import { verdictFor } from './verdict.js';

export interface AppProps {
  backend: Backend;
  hostName: string;
  intervalSeconds: number;
  sortKey?: SortKey;
  filter?: string;
  /** a fixed size (tests); otherwise the terminal's, following resizes */
  size?: TerminalSize;
  /** who porttop is, for the rule that it never kills itself or its parent */
  selfPid?: number;
  parentPid?: number;
}

type Overlay = { kind: 'none' } | { kind: 'help' } | { kind: 'filter' } | { kind: 'detail'; pid: number; offset: number };

const NONE: Overlay = { kind: 'none' };

const MOVES: Partial<Record<string, Move>> = {
  up: 'up', down: 'down', pageUp: 'pageUp', pageDown: 'pageDown', home: 'home', end: 'end',
};

/** Lines under the main area: the status line and the key hints. One terminal row stays free so Ink never scrolls. */
const FOOTER_LINES = 2;

export function App(props: AppProps) {
  const { backend } = props;
  const { exit } = useApp();
  const terminal = useTerminalSize();
  const size = props.size ?? terminal;

  const [intervalSeconds, setIntervalSeconds] = useState(props.intervalSeconds);
  const [paused, setPaused] = useState(false);
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: props.sortKey ?? 'sockets', descending: true });
  const [filterText, setFilterText] = useState(props.filter ?? '');
  const [selection, setSelection] = useState<{ pid: number | null; index: number }>({ pid: null, index: 0 });
  const [overlay, setOverlay] = useState<Overlay>(NONE);
  const [killDialog, setKillDialog] = useState<KillDialog>(CLOSED);
  const offsetRef = useRef(0);

  const { analysis, error, history, refreshNow } = useSnapshot(backend, intervalSeconds, paused);
  const sorted = useMemo(() => (analysis ? sortProcessRows(analysis.rows, sort.key, sort.descending) : []), [analysis, sort]);
  const filter = useMemo(() => parseViewFilter(filterText), [filterText]);
  const rows = useMemo(() => filterRows(sorted, filter, analysis?.snapshot.endpoints ?? []), [sorted, filter, analysis]);
  const pids = useMemo(() => rows.map((row) => row.pid), [rows]);
  const layout = useMemo(() => layoutTable(rows, size.columns, sort.key, sort.descending), [rows, size.columns, sort]);
  const verdict = useMemo(() => (analysis ? verdictFor(analysis) : null), [analysis]);
  const detailPid = overlay.kind === 'detail' ? overlay.pid : null;
  const detailEndpoints = useMemo(
    () => (analysis && detailPid !== null ? endpointsOfProcess(analysis.snapshot.endpoints, detailPid) : []),
    [analysis, detailPid],
  );

  const warnings = analysis?.snapshot.warnings ?? [];
  const mainHeight = Math.max(3, size.rows - 1 - headerHeight(analysis?.usage.length ?? 0, warnings.length, verdict !== null) - FOOTER_LINES);
  const tableRows = mainHeight - 1;

  const selectedIndex = indexOfSelection(pids, selection.pid, selection.index);
  const selectedRow = rows[selectedIndex];
  const offset = scrollOffset(offsetRef.current, selectedIndex, tableRows, rows.length);
  offsetRef.current = offset;

  // the selected process left the list (exited, filtered out): the row now under the cursor is the selection
  useEffect(() => {
    if (selectedRow && selectedRow.pid !== selection.pid) setSelection({ pid: selectedRow.pid, index: selectedIndex });
  }, [selectedRow, selectedIndex, selection.pid]);

  const select = (index: number) => setSelection({ pid: rows[index]?.pid ?? null, index });

  const openKill = (force: boolean) => {
    if (!selectedRow || !analysis) return;
    const info = analysis.snapshot.processes.get(selectedRow.pid);
    const own = analysis.snapshot.endpoints.filter((endpoint) => endpoint.pid === selectedRow.pid);
    setKillDialog(
      openKillDialog(
        {
          target: { pid: selectedRow.pid, name: info?.name ?? selectedRow.processName, startTime: info?.startTime ?? null },
          ports: portsToName(own),
          force,
        },
        { platform: backend.platform, selfPid: props.selfPid ?? process.pid, parentPid: props.parentPid ?? process.ppid },
      ),
    );
  };

  const confirmKill = () => {
    if (killDialog.phase !== 'confirm') return;
    const working = { ...killDialog, phase: 'working' as const };
    setKillDialog(working);
    backend.kill(working.target, killOptions(working.force)).then(
      (result) => {
        setKillDialog(afterKill(working, result));
        if (result.outcome === 'stopped' || result.outcome === 'gone') void refreshNow();
      },
      (failure: unknown) => setKillDialog(afterKillError(working, failure)),
    );
  };

  const listActive = overlay.kind === 'none' && killDialog.phase === 'closed';

  useKeys((keyName) => {
    if (actionFor(GLOBAL_KEYS, keyName) === 'quit') exit();
  });

  useKeys((keyName) => {
    const action = actionFor(LIST_KEYS, keyName);
    if (action === null) return;
    const move = MOVES[action];
    if (move) {
      select(moveIndex(selectedIndex, move, rows.length, tableRows));
      return;
    }
    switch (action) {
      case 'quit': exit(); break;
      case 'help': setOverlay({ kind: 'help' }); break;
      case 'cycleSort': setSort((current) => ({ key: nextSortKey(current.key), descending: true })); break;
      case 'reverseSort': setSort((current) => ({ ...current, descending: !current.descending })); break;
      case 'sortHandles': setSort({ key: 'handles', descending: true }); break;
      case 'filter': setOverlay({ kind: 'filter' }); break;
      case 'clearFilter': setFilterText(''); break;
      case 'details': if (selectedRow) setOverlay({ kind: 'detail', pid: selectedRow.pid, offset: 0 }); break;
      case 'kill': openKill(false); break;
      case 'forceKill': openKill(true); break;
      case 'pause': setPaused((current) => !current); break;
      case 'faster': setIntervalSeconds((current) => stepInterval(current, -1)); break;
      case 'slower': setIntervalSeconds((current) => stepInterval(current, 1)); break;
      default: break;
    }
  }, listActive);

  useKeys((keyName, raw) => {
    const action = actionFor(FILTER_KEYS, keyName);
    if (action === 'accept') setOverlay(NONE);
    else if (action === 'cancel') {
      setFilterText('');
      setOverlay(NONE);
    } else if (action === 'erase') setFilterText((text) => text.slice(0, -1));
    else if (isPrintable(raw)) setFilterText((text) => text + raw);
  }, overlay.kind === 'filter' && killDialog.phase === 'closed');

  useKeys((keyName) => {
    if (overlay.kind !== 'detail') return;
    const action = actionFor(DETAIL_KEYS, keyName);
    if (action === 'quit') exit();
    else if (action === 'close') setOverlay(NONE);
    else if (action !== null) {
      const shown = detailRows(mainHeight);
      const lastOffset = Math.max(0, detailEndpoints.length - shown);
      setOverlay({ ...overlay, offset: moveIndex(clampIndex(overlay.offset, lastOffset + 1), action, lastOffset + 1, shown) });
    }
  }, overlay.kind === 'detail' && killDialog.phase === 'closed');

  if (overlay.kind === 'help') return <HelpScreen onClose={() => setOverlay(NONE)} />;

  let main: React.ReactNode;
  if (killDialog.phase !== 'closed') {
    main = <KillDialogView dialog={killDialog} platform={backend.platform} onConfirm={confirmKill} onClose={() => setKillDialog(CLOSED)} />;
  } else if (overlay.kind === 'detail' && analysis) {
    const lastOffset = Math.max(0, detailEndpoints.length - detailRows(mainHeight));
    main = (
      <DetailPane
        pid={overlay.pid}
        info={analysis.snapshot.processes.get(overlay.pid)}
        endpoints={detailEndpoints}
        offset={Math.min(overlay.offset, lastOffset)}
        height={mainHeight}
        width={size.columns}
      />
    );
  } else if (analysis) {
    main = <ProcessTable rows={rows} layout={layout} selectedIndex={selectedIndex} offset={offset} height={tableRows}
        emptyText={filter ? `no process matches '${filter.text}'` : 'no process holds a socket'} />;
  } else {
    main = <Text>{error ? `cannot collect: ${error.message}` : 'collecting the first snapshot...'}</Text>;
  }

  const status = statusLine({
    editing: overlay.kind === 'filter',
    filterText,
    filterActive: filter !== null,
    shown: rows.length,
    total: sorted.length,
    suspects: rows.some((row) => row.handleSuspect),
    sortKey: sort.key,
    descending: sort.descending,
  });

  return (
    <Box flexDirection="column" width={size.columns}>
      <Header
        width={size.columns}
        hostName={props.hostName}
        backendName={backend.name}
        takenAt={analysis?.snapshot.takenAt ?? null}
        intervalSeconds={intervalSeconds}
        paused={paused}
        usage={analysis?.usage ?? []}
        history={history}
        totals={analysis?.totals ?? {}}
        socketCount={analysis?.snapshot.endpoints.length ?? 0}
        warnings={warnings}
        verdict={verdict}
      />
      <Box flexDirection="column" height={mainHeight} overflow="hidden">
        {main}
      </Box>
      <Text wrap="truncate">
        {error && analysis ? (
          <Text color="red">{`refresh failed at ${clock(error.at)}: ${error.message}; showing ${clock(analysis.snapshot.takenAt)}  `}</Text>
        ) : null}
        {fit(status, size.columns)}
      </Text>
      <Text dimColor wrap="truncate">{fit(FOOTER, size.columns)}</Text>
    </Box>
  );
}

const FOOTER = '? help  / filter  s sort  S reverse  Enter details  k kill  K force  p pause  +/- interval  q quit';

interface StatusFacts {
  editing: boolean;
  filterText: string;
  filterActive: boolean;
  shown: number;
  total: number;
  suspects: boolean;
  sortKey: SortKey;
  descending: boolean;
}

export function statusLine(facts: StatusFacts): string {
  if (facts.editing) return `Filter (name, PID or :port): ${facts.filterText}_   Enter keeps it, Esc clears`;
  const parts = [
    facts.filterActive
      ? `${facts.shown} of ${facts.total} processes match '${facts.filterText.trim()}' (Esc clears)`
      : `${facts.total} processes`,
    `sorted by ${facts.sortKey} ${facts.descending ? 'largest first' : 'smallest first'}`,
  ];
  if (facts.suspects) parts.push(`${SUSPECT_MARK} more than ${HANDLE_SUSPECT_THRESHOLD} handles`);
  return parts.join('  |  ');
}

function isPrintable(raw: string): boolean {
  return raw.length > 0 && [...raw].every((char) => char >= ' ' && char !== '\u007f');
}
