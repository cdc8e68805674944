import { duration, relativeTime } from '../format';
import { statusLabel, statusTone } from '../components/StatusBadge';

describe('duration', () => {
  const start = '2026-01-01T00:00:00Z';
  it.each([
    ['2026-01-01T00:00:45Z', '45s'],
    ['2026-01-01T00:03:07Z', '3m 07s'],
    ['2026-01-01T02:05:00Z', '2h 05m'],
    ['2026-01-04T04:00:00Z', '3d 4h']
  ])('from the start to %s is %s', (end, expected) => {
    expect(duration(start, end)).toBe(expected);
  });

  it('counts to now while running and is empty without a start', () => {
    expect(duration(start, undefined, new Date('2026-01-01T00:01:00Z'))).toBe(
      '1m 00s'
    );
    expect(duration(undefined, undefined)).toBe('');
  });
});

describe('relativeTime', () => {
  it('is empty for a missing or unreadable time', () => {
    expect(relativeTime(undefined)).toBe('');
    expect(relativeTime('not a date')).toBe('');
    expect(relativeTime(new Date().toISOString())).not.toBe('');
  });
});

describe('status', () => {
  it('maps statuses to tones and words', () => {
    expect(statusTone('Completed')).toBe('success');
    expect(statusTone('InService')).toBe('success');
    expect(statusTone('Failed')).toBe('error');
    expect(statusTone('InProgress')).toBe('progress');
    expect(statusTone('Whatever')).toBe('neutral');
    expect(statusLabel('InProgress')).toBe('In progress');
    expect(statusLabel('LaunchingMLInstances')).toBe('Launching ML instances');
  });
});
