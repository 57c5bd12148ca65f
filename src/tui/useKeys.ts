// Keyboard input by key name. Ink's useInput cannot tell F9 from the other function keys (it hands
// them over as an empty string), so this hook listens to the same input events Ink parses from
// stdin and names the keys itself (decodeKey). The App uses one handler feeding a reducer, which
// knows what is open (see viewState.ts for why not one handler per component).
import { useEffect, useRef } from 'react';
import { useStdin } from 'ink';
import { decodeKey, splitKeys } from './keys.js';

export type KeyHandler = (keyName: string, text: string) => void;

export function useKeys(handler: KeyHandler): void {
  const { setRawMode, internal_eventEmitter: events } = useStdin();
  const latest = useRef(handler);
  latest.current = handler;

  useEffect(() => {
    setRawMode(true);
    return () => setRawMode(false);
  }, [setRawMode]);

  useEffect(() => {
    const onInput = (event: string) => {
      for (const raw of splitKeys(event)) latest.current(decodeKey(raw), raw);
    };
    events.on('input', onInput);
    return () => void events.removeListener('input', onInput);
  }, [events]);
}
