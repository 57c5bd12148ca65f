// The collection gives the event loop a turn once its slice is up, so the live view answers keys.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventLoopYielder } from '../../src/linux/yielder.js';

describe('EventLoopYielder', () => {
  it('lets pending callbacks run once the slice is spent, and not before', async () => {
    let ran = false;
    setImmediate(() => (ran = true));
    await new EventLoopYielder(60_000).maybeYield();
    assert.equal(ran, false, 'within the slice nothing else runs');
    await new EventLoopYielder(0).maybeYield();
    assert.equal(ran, true, 'after the slice the event loop took a turn');
  });
});
