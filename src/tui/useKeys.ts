// Keyboard input by key name. Ink's useInput cannot tell F9 from the other function keys (it hands
// them over as an empty string), so this hook listens to the same input events Ink parses from
// stdin and names the keys itself (decodeKey). `isActive: false` mutes the handler, as useInput's
// does. The App uses one handler feeding a reducer (see viewState.ts for why not one per component).
import { useEffect, useRef } from 'react';
import { useStdin } from 'ink';
import { decodeKey, splitKeys } from './keys.js';

export type KeyHandler = (keyName: string, text: string) => void;

export function useKeys(handler: KeyHandler, isActive = true): void {
  const { setRawMode, internal_eventEmitter: events } = useStdin();
  const latest = useRef(handler);
  latest.current = handler;

  useEffect(() => {
    if (!isActive) return;
    setRawMode(true);
    return () => setRawMode(false);
  }, [isActive, setRawMode]);

  useEffect(() => {
    if (!isActive) return;
    const onInput = (event: string) => {
      for (const raw of splitKeys(event)) latest.current(decodeKey(raw), raw);
    };
    events.on('input', onInput);
    return () => void events.removeListener('input', onInput);
  }, [isActive, events]);
}
