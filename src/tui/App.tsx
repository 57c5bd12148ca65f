// The live view: header, windowed process table, status line and key hints, with the help screen,
// the filter prompt, the detail pane and the kill dialog on top. The backend comes in as a prop; the
// analysis of a snapshot happens once, in the refresh loop; sorting and filtering are memoized, so a
// key press costs a sort of a few hundred rows at most, never a pass over the sockets.
import React, { useEffect, useMemo, useReducer, useRef } from 'react';
import { Box, Text, useApp } from 'ink';
import type { Backend } from '../backend.js';
import { sortProcessRows, type ProcessRow, type SortKey } from '../core/aggregate.js';
import { HANDLE_SUSPECT_THRESHOLD } from '../core/handles.js';
import { plural } from '../core/labels.js';
import { endpointsOfProcess, filterRows, parseViewFilter, portsToName, type SnapshotAnalysis } from '../core/view.js';
import { indexOfSelection, scrollOffset } from './navigation.js';
import { DetailPane, detailRows } from './DetailPane.js';
import { clock, fit, layoutTable, SUSPECT_MARK } from './draw.js';
import { Header, headerShape } from './Header.js';
import { HelpScreen } from './HelpScreen.js';
import { CONFIRM_HINTS, DETAIL_HINTS, keyHintLine, LIST_HINTS } from './keys.js';
import { killOptions, openKillDialog, targetsOf } from './killDialog.js';
import { planKill, portOutcomes, type KillPlan, type PortOutcome } from '../core/killplan.js';
import { holdsPort } from '../core/select.js';
import { KillDialogView } from './KillDialogView.js';
import { ProcessTable } from './ProcessTable.js';
import { useKeys } from './useKeys.js';
import { useSnapshot } from './useSnapshot.js';
import { useTerminalSize, type TerminalSize } from './useTerminalSize.js';
import { verdictFor } from './verdict.js';
import { initialViewState, reduceView, type KeyContext, type ViewAction, type ViewState } from './viewState.js';

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

/** Lines under the main area: the status line and the key hints. */
const FOOTER_LINES = 2;
/** One terminal row stays free, so Ink never scrolls. */
const SPARE_LINES = 1;

/**
 * Sorted and filtered rows, remembered for the last analysis, sort and filter: the render and the
 * key reducer ask for the same thing and get the same array, computed once.
 */
function useRowsFor(analysis: SnapshotAnalysis | null) {
  return useMemo(() => {
    let last: { sort: ViewState['sort']; filterText: string; rows: readonly ProcessRow[] } | null = null;
    let sortedFor: { sort: ViewState['sort']; rows: ProcessRow[] } | null = null;
    return (sort: ViewState['sort'], filterText: string): readonly ProcessRow[] => {
      if (!analysis) return [];
      if (last && last.sort.key === sort.key && last.sort.descending === sort.descending && last.filterText === filterText) return last.rows;
      if (!sortedFor || sortedFor.sort.key !== sort.key || sortedFor.sort.descending !== sort.descending) {
        sortedFor = { sort, rows: sortProcessRows(analysis.rows, sort.key, sort.descending) };
      }
      const rows = filterRows(sortedFor.rows, parseViewFilter(filterText), analysis.snapshot.endpoints);
      last = { sort, filterText, rows };
      return rows;
    };
  }, [analysis]);
}

export function App(props: AppProps) {
  const { backend } = props;
  const { exit } = useApp();
  const terminal = useTerminalSize();
  const size = props.size ?? terminal;

  const contextRef = useRef<KeyContext | null>(null);
  const [state, dispatch] = useReducer(
    (current: ViewState, action: ViewAction) => reduceView(current, action, contextRef.current!),
    undefined,
    () => initialViewState(props.intervalSeconds, props.sortKey ?? 'sockets', props.filter ?? ''),
  );
  const offsetRef = useRef(0);

  const { analysis, error, history, refreshNow } = useSnapshot(backend, state.intervalSeconds, state.paused);
  const rowsFor = useRowsFor(analysis);
  const rows = rowsFor(state.sort, state.filterText);
  const total = analysis?.rows.length ?? 0;
  const filter = useMemo(() => parseViewFilter(state.filterText), [state.filterText]);
  const layout = useMemo(() => layoutTable(rows, size.columns, state.sort.key, state.sort.descending), [rows, size.columns, state.sort]);
  const verdict = useMemo(() => (analysis ? verdictFor(analysis) : null), [analysis]);
  const detailPid = state.overlay.kind === 'detail' ? state.overlay.pid : null;
  const detailEndpoints = useMemo(
    () => (analysis && detailPid !== null ? endpointsOfProcess(analysis.snapshot.endpoints, detailPid) : []),
    [analysis, detailPid],
  );

  const warnings = analysis?.snapshot.warnings ?? [];
  const available = size.rows - SPARE_LINES - FOOTER_LINES;
  const shape = headerShape(available, analysis?.usage.length ?? 0, warnings.length, verdict !== null);
  const mainHeight = Math.max(1, available - shape.height);
  const tableRows = mainHeight - 1;

  const selectedIndex = indexOfSelection(rows.map((row) => row.pid), state.selection.pid, state.selection.index);
  const selectedRow = rows[selectedIndex];
  const offset = scrollOffset(offsetRef.current, selectedIndex, tableRows, rows.length);
  offsetRef.current = offset;

  contextRef.current = {
    rowsFor,
    pageSize: tableRows,
    detailPageSize: detailRows(mainHeight),
    detailCount: (pid) => (pid === detailPid ? detailEndpoints.length : 0),
    killDialogFor: (row, force) => {
      const snapshot = analysis?.snapshot;
      const info = snapshot?.processes.get(row.pid);
      const own = snapshot?.endpoints.filter((endpoint) => endpoint.holders.includes(row.pid)) ?? [];
      const ports = portsToName(own);
      const heldPorts = [...new Set(own.filter(holdsPort).map((endpoint) => endpoint.localPort))].sort((a, b) => a - b);
      const protection = {
        platform: backend.platform,
        selfPid: props.selfPid ?? process.pid,
        parentPid: props.parentPid ?? process.ppid,
        ancestors: snapshot?.porttopAncestors ?? [],
      };
      // the other holders of its listening sockets: stopping only this one would leave the port taken
      const plan = snapshot ? planKill(snapshot, heldPorts.map((port) => ({ from: port, to: port })), { allStates: false, protection: { ...protection, allowCritical: false } }) : null;
      const also = plan?.candidates.filter((candidate) => candidate.pid !== row.pid) ?? [];
      return openKillDialog(
        {
          target: { pid: row.pid, name: info?.name ?? row.processName, startTime: info?.startTime ?? null },
          ports,
          force,
          commandLine: info?.commandLine ?? null,
          services: info?.services,
          also,
          heldPorts,
        },
        protection,
      );
    },
  };

  useKeys((keyName, raw) => dispatch({ type: 'key', keyName, raw }));

  useEffect(() => {
    if (state.quitting) exit();
  }, [state.quitting, exit]);

  // the selected process left the list (exited, filtered out): the row now under the cursor is the selection
  useEffect(() => {
    if (selectedRow && selectedRow.pid !== state.selection.pid) dispatch({ type: 'pin', from: state.selection.pid, pid: selectedRow.pid, index: selectedIndex });
  }, [selectedRow, selectedIndex, state.selection.pid]);

  // `y` in the dialog moved it to working: now ask the backend, once
  const { killDialog } = state;
  useEffect(() => {
    if (killDialog.phase !== 'working') return;
    const options = killOptions(killDialog.force);
    const dialog = killDialog;
    void (async () => {
      const [result, ...others] = await Promise.all(targetsOf(dialog).map((target) => backend.kill(target, options)));
      const stopped = new Set([result!, ...others].filter((one) => one.outcome === 'stopped' || one.outcome === 'gone').map((one) => one.pid));
      // the proof: look at the ports again and say whether they are free
      let portsAfter: PortOutcome[] | null = null;
      const held = dialog.heldPorts ?? [];
      if (stopped.size > 0 && held.length > 0) {
        const spans = held.map((port) => ({ from: port, to: port }));
        const plan: KillPlan = {
          ports: held.map((port) => ({ port, named: true, holders: [dialog.target.pid], hidden: 0, outside: 0, connections: 0, unowned: 0 })),
          candidates: dialog.also ?? [],
        };
        const after = await backend.snapshot({ localPorts: new Set(held) });
        portsAfter = portOutcomes(plan, after, spans, false, stopped);
      }
      return { result: result!, others, portsAfter, stopped };
    })().then(
      ({ result, others, portsAfter, stopped }) => {
        dispatch({ type: 'killDone', result, others, portsAfter });
        if (stopped.size > 0) void refreshNow();
      },
      (failure: unknown) => dispatch({ type: 'killFailed', error: failure }),
    );
  }, [killDialog, backend, refreshNow]);

  if (state.overlay.kind === 'help') return <HelpScreen />;

  let main: React.ReactNode;
  if (killDialog.phase !== 'closed') {
    main = <KillDialogView dialog={killDialog} platform={backend.platform} commandWidth={Math.max(10, size.columns - 40)} />;
  } else if (state.overlay.kind === 'detail' && analysis) {
    const lastOffset = Math.max(0, detailEndpoints.length - detailRows(mainHeight));
    main = (
      <DetailPane
        pid={state.overlay.pid}
        info={analysis.snapshot.processes.get(state.overlay.pid)}
        processes={analysis.snapshot.processes}
        platform={backend.platform}
        endpoints={detailEndpoints}
        offset={Math.min(state.overlay.offset, lastOffset)}
        height={mainHeight}
        width={size.columns}
      />
    );
  } else if (analysis) {
    main = (
      <ProcessTable rows={rows} layout={layout} selectedIndex={selectedIndex} offset={offset} height={tableRows}
        emptyText={filter ? `no process matches '${filter.text}'` : 'no process holds a socket'} />
    );
  } else {
    main = <Text>{error ? `cannot collect: ${error.message}` : 'collecting the first snapshot...'}</Text>;
  }

  const hints = killDialog.phase === 'confirm' ? CONFIRM_HINTS : state.overlay.kind === 'detail' ? DETAIL_HINTS : LIST_HINTS;
  const status = statusLine({
    editing: state.overlay.kind === 'filter',
    filterText: state.filterText,
    filterActive: filter !== null,
    shown: rows.length,
    total,
    suspects: rows.some((row) => row.handleSuspect),
    sortKey: state.sort.key,
    descending: state.sort.descending,
  });

  return (
    <Box flexDirection="column" width={size.columns}>
      <Header
        width={size.columns}
        shape={shape}
        hostName={props.hostName}
        backendName={backend.name}
        takenAt={analysis?.snapshot.takenAt ?? null}
        intervalSeconds={state.intervalSeconds}
        paused={state.paused}
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
      <Text dimColor wrap="truncate">{fit(keyHintLine(hints, size.columns), size.columns)}</Text>
    </Box>
  );
}

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
      ? `${facts.shown} of ${plural(facts.total, 'process', 'processes')} match '${facts.filterText.trim()}' (Esc clears)`
      : plural(facts.total, 'process', 'processes'),
    `sorted by ${facts.sortKey} ${facts.descending ? 'largest first' : 'smallest first'}`,
  ];
  if (facts.suspects) parts.push(`${SUSPECT_MARK} more than ${HANDLE_SUSPECT_THRESHOLD} handles`);
  return parts.join('  |  ');
}
