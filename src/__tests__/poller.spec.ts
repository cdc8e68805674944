/**
 * The polling base every model uses: frequency and backoff, standby, and the guard
 * that drops stale answers. Fake timers drive lumino's Poll, so waits are exact.
 */
import { Poller } from '../models/poller';

/** A request the test answers by hand, in any order. */
interface IPending {
  resolve: (answer: string) => void;
  reject: (error: Error) => void;
}

describe('Poller', () => {
  let pending: IPending[];
  let applied: string[];
  let failed: string[];
  let poller: Poller<string> | null;

  const request = () =>
    new Promise<string>((resolve, reject) => pending.push({ resolve, reject }));

  function create(options: Partial<Poller.IOptions<string>> = {}) {
    poller = new Poller<string>({
      name: 'test',
      interval: 10,
      standby: 'never',
      request,
      apply: answer => applied.push(answer),
      fail: error => failed.push((error as Error).message),
      ...options
    });
    return poller;
  }

  /**
   * Let `ms` of fake time pass, then run what is due at once (lumino schedules a tick
   * with a zero timeout after a few promise turns; fake timers run those 1 ms later).
   */
  async function pass(ms: number): Promise<void> {
    await jest.advanceTimersByTimeAsync(ms);
    for (let i = 0; i < 5; i++) {
      await jest.advanceTimersByTimeAsync(1);
    }
  }

  /** A request that answers at once: an error while `failing()`, else 'ok'. */
  function answering(failing: () => boolean, times: number[]) {
    return async () => {
      times.push(Date.now());
      if (failing()) {
        throw new Error(`failure ${times.length}`);
      }
      return 'ok';
    };
  }

  /** The waits between consecutive requests, in seconds. */
  const waits = (times: number[]) =>
    times.slice(1).map((time, i) => (time - times[i]) / 1000);

  beforeEach(() => {
    jest.useFakeTimers();
    pending = [];
    applied = [];
    failed = [];
    poller = null;
  });

  afterEach(() => {
    poller?.dispose();
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  describe('stale answers', () => {
    it('drops an answer that lands after a newer request’s', async () => {
      const poller = create();
      await pass(0);
      expect(pending).toHaveLength(1); // the first tick's request, in flight
      const refreshed = poller.refresh();
      await pass(0);
      expect(pending).toHaveLength(2);
      pending[1].resolve('new');
      await pass(0);
      pending[0].resolve('old');
      await pass(0);
      await refreshed;
      expect(applied).toEqual(['new']);
    });

    it('drops the error of a superseded request', async () => {
      const poller = create();
      await pass(0);
      void poller.refresh();
      await pass(0);
      pending[1].resolve('new');
      pending[0].reject(new Error('old failure'));
      await pass(0);
      expect(applied).toEqual(['new']);
      expect(failed).toEqual([]);
    });

    it('drops what is in flight when refreshed while inactive (the subject changed)', async () => {
      const poller = create();
      await pass(0);
      poller.active = false;
      await poller.refresh(); // e.g. a filter changed while the view is hidden
      pending[0].resolve('for the old filter');
      await pass(0);
      expect(applied).toEqual([]);
      poller.active = true; // asks again at once
      await pass(0);
      pending[1].resolve('for the new filter');
      await pass(0);
      expect(applied).toEqual(['for the new filter']);
    });

    it('drops an answer that lands after dispose', async () => {
      const poller = create();
      await pass(0);
      poller.dispose();
      pending[0].resolve('late');
      await pass(0);
      expect(applied).toEqual([]);
    });

    it('resolves refresh() once the newest answer landed', async () => {
      const poller = create();
      await pass(0);
      let done = false;
      const first = poller.refresh().then(() => (done = true));
      await pass(0);
      void poller.refresh(); // supersedes the first refresh's request
      await pass(0);
      expect(pending).toHaveLength(3);
      pending[1].resolve('superseded');
      await pass(0);
      expect(done).toBe(false);
      pending[2].resolve('newest');
      await first;
      expect(applied).toEqual(['newest']);
    });
  });

  describe('frequency', () => {
    it('polls every interval while answers come', async () => {
      const times: number[] = [];
      create({ interval: 10, request: answering(() => false, times) });
      await pass(35_000);
      expect(waits(times)).toEqual([10, 10, 10]);
      expect(applied).toEqual(['ok', 'ok', 'ok', 'ok']);
    });

    it('backs off after errors, up to maxBackoff, and returns to the interval', async () => {
      // The longest wait lumino may pick each time: three times the last one.
      jest.spyOn(Math, 'random').mockReturnValue(0.999999);
      const times: number[] = [];
      create({
        interval: 10,
        maxBackoff: 100,
        request: answering(() => times.length <= 4, times)
      });
      await pass(350_000);
      // The first retry after the immediate first tick waits one interval.
      expect(waits(times).slice(0, 6)).toEqual([10, 30, 90, 100, 10, 10]);
      expect(failed).toHaveLength(4);
    });

    it('uses the live interval while something changes, and a new interval at once', async () => {
      const times: number[] = [];
      const poller = create({
        interval: 10,
        request: answering(() => false, times)
      });
      poller.liveInterval = 2;
      expect(poller.pollInterval).toBe(2);
      await pass(5_000);
      expect(waits(times)).toEqual([2, 2]);
      poller.liveInterval = null;
      expect(poller.pollInterval).toBe(10);
      const before = times.length;
      poller.interval = 60; // requests now instead of after the old delay
      await pass(0);
      expect(times).toHaveLength(before + 1);
    });
  });

  describe('standby', () => {
    it('sends nothing while inactive, and requests at once when activated', async () => {
      const poller = create({ active: false });
      await pass(60_000);
      await poller.refresh();
      expect(pending).toHaveLength(0);
      poller.active = true;
      await pass(0);
      expect(pending).toHaveLength(1);
    });

    it('stands by while idle; refresh() still requests', async () => {
      let idle = false;
      const poller = create({ idle: () => idle });
      await pass(0);
      idle = true;
      pending[0].resolve('ended');
      await pass(60_000);
      expect(pending).toHaveLength(1);
      const refreshed = poller.refresh();
      await pass(0);
      expect(pending).toHaveLength(2);
      pending[1].resolve('asked for');
      await refreshed;
      expect(applied).toEqual(['ended', 'asked for']);
    });

    it('stands by while the page is hidden; refresh() still requests', async () => {
      const poller = create({ standby: 'when-hidden' });
      await pass(0);
      setPageHidden(true);
      try {
        pending[0].resolve('shown');
        await pass(60_000);
        // lumino lingers one tick before it stands by
        expect(pending.length).toBeLessThanOrEqual(2);
        pending.slice(1).forEach(p => p.resolve('lingered'));
        const count = pending.length;
        await pass(60_000);
        expect(pending).toHaveLength(count);
        void poller.refresh();
        await pass(0);
        expect(pending).toHaveLength(count + 1);
      } finally {
        setPageHidden(false);
      }
    });
  });
});

/** Tell the page (and lumino's Poll, which listens) that it is hidden or shown. */
function setPageHidden(hidden: boolean): void {
  Object.defineProperty(document, 'visibilityState', {
    configurable: true,
    get: () => (hidden ? 'hidden' : 'visible')
  });
  document.dispatchEvent(new Event('visibilitychange'));
}
