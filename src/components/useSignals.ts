import { ISignal } from '@lumino/signaling';
import React from 'react';

/**
 * Re-render whenever one of `signals` fires: how a view follows its model (the model
 * reads from the server and says when its state changed; the view renders it).
 */
export function useSignals(...signals: ISignal<unknown, unknown>[]): void {
  const [, setTick] = React.useState(0);
  // A layout effect connects at once after the first render, before a signal can fire.
  React.useLayoutEffect(() => {
    const bump = () => setTick(tick => tick + 1);
    signals.forEach(signal => signal.connect(bump));
    return () => signals.forEach(signal => signal.disconnect(bump));
  }, signals);
}
