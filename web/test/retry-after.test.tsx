// Retry-After read from the server's answer and shown to people (issue 28: "try again later" says when).
import { act, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, retryAfterOf, waitInWords } from '../src/api/errors';
import { ErrorState } from '../src/ui';

const body = { error: { code: 'RATE_LIMITED', message: 'You sent too many requests in a short time; try again in 2 minutes' } };

describe('Retry-After', () => {
  afterEach(() => vi.useRealTimers());

  it('reads delay-seconds and HTTP-dates, at least one second, and ignores what it cannot read', () => {
    const now = Date.parse('2026-12-07T22:00:00Z');
    expect(retryAfterOf('120', now)).toBe(120);
    expect(retryAfterOf('0', now)).toBe(1);
    expect(retryAfterOf('Mon, 07 Dec 2026 22:01:30 GMT', now)).toBe(90);
    expect(retryAfterOf('Mon, 07 Dec 2026 21:59:00 GMT', now)).toBe(1);
    expect(retryAfterOf('soon', now)).toBeUndefined();
    expect(retryAfterOf(null, now)).toBeUndefined();
    expect(new ApiError(429, body, new Headers({ 'Retry-After': '120' })).retryAfterSeconds).toBe(120);
    expect(new ApiError(429, body).retryAfterSeconds).toBeUndefined();
  });

  it('says waits in words, never shorter than the wait', () => {
    expect([waitInWords(1), waitInWords(40), waitInWords(61), waitInWords(3600), waitInWords(3700)]).toEqual(['1 second', '40 seconds', '2 minutes', '1 hour', '1 hour 2 minutes']);
  });

  it('holds the retry until the wait is over, saying how long, then offers it', () => {
    vi.useFakeTimers();
    const retry = vi.fn();
    render(<ErrorState error={new ApiError(429, body, new Headers({ 'Retry-After': '3' }))} onRetry={retry} />);
    expect(screen.getByRole('alert')).toHaveTextContent('try again in 2 minutes');
    const button = screen.getByRole('button');
    expect(button).toBeDisabled();
    expect(button).toHaveTextContent('Retry in 3 seconds');
    act(() => vi.advanceTimersByTime(1000));
    expect(screen.getByRole('button')).toHaveTextContent('Retry in 2 seconds');
    // Each tick renders, then the next is set: a person sees every second.
    for (let i = 0; i < 2; i++) act(() => vi.advanceTimersByTime(1000));
    expect(screen.getByRole('button')).toHaveTextContent(/^Retry$/);
    expect(screen.getByRole('button')).toBeEnabled();
  });
});
