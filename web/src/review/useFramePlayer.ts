// Frame-accurate control of a <video>: the frame shown is read from requestVideoFrameCallback (the presented
// frame's own timestamp, metadata.mediaTime), never from a float currentTime; seeks go to a frame's centre.
import { useCallback, useEffect, useRef, useState } from 'react';
import { clampFrame, mediaTimeToFrame, seekTime, timeToFrame, type Rate } from './frames';

export interface FramePlayer {
  /** The frame on screen (integer, from 0). */
  frame: number;
  playing: boolean;
  /** Playback speed: positive forwards (1, 2, 4), negative for J's reverse shuttle. */
  speed: number;
  ready: boolean;
  seek(frame: number): void;
  step(delta: number): void;
  play(speed?: number): void;
  pause(): void;
  toggle(): void;
  /** J/K/L: L plays forward and doubles speed, J the same backwards, K stops. */
  shuttle(direction: -1 | 0 | 1): void;
}

export function useFramePlayer(video: HTMLVideoElement | null, rate: Rate, frameCount: number | null): FramePlayer {
  const [frame, setFrame] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState(1);
  const [ready, setReady] = useState(false);
  const shown = useRef(0);
  /** The frame a seek asked for and the screen does not show yet: steps count from it, not from the stale frame. */
  const target = useRef<number | null>(null);
  const reverse = useRef<number | null>(null);
  const count = frameCount ?? (video && Number.isFinite(video.duration) ? Math.round((video.duration * rate.num) / rate.den) : null);

  useEffect(() => {
    if (!video) return;
    let handle = 0;
    const onFrame: VideoFrameRequestCallback = (_now, meta) => {
      const f = mediaTimeToFrame(meta.mediaTime, rate);
      shown.current = f;
      if (target.current === f) target.current = null;
      setFrame(f);
      handle = video.requestVideoFrameCallback(onFrame);
    };
    handle = video.requestVideoFrameCallback(onFrame);
    const onLoaded = () => {
      setReady(true);
      // Present frame 0 at its centre, so the first frame report comes from the decoder, not a guess (only
      // at the start: this effect also runs again when its inputs change, and must not move the player then).
      if (!video.currentTime) video.currentTime = seekTime(0, rate);
    };
    const onPlay = () => setPlaying(true);
    // J's reverse shuttle pauses the element itself and keeps playing by seeks: still playing for the UI.
    const onPause = () => { if (reverse.current === null) setPlaying(false); };
    const onEnded = () => {
      setPlaying(false);
      if (count) {
        shown.current = count - 1;
        setFrame(count - 1);
      }
    };
    // A seek that lands on the frame already shown presents nothing new: the seek's own frame stands.
    const onSeeked = () => {
      if (target.current !== null && timeToFrame(video.currentTime, rate) === target.current && shown.current === target.current) target.current = null;
    };
    if (video.readyState >= 2) onLoaded();
    video.addEventListener('loadeddata', onLoaded);
    video.addEventListener('play', onPlay);
    video.addEventListener('pause', onPause);
    video.addEventListener('ended', onEnded);
    video.addEventListener('seeked', onSeeked);
    return () => {
      video.cancelVideoFrameCallback(handle);
      video.removeEventListener('loadeddata', onLoaded);
      video.removeEventListener('play', onPlay);
      video.removeEventListener('pause', onPause);
      video.removeEventListener('ended', onEnded);
      video.removeEventListener('seeked', onSeeked);
    };
  }, [video, rate, count]);

  const stopReverse = () => {
    if (reverse.current !== null) window.clearInterval(reverse.current);
    reverse.current = null;
  };

  const seek = useCallback((f: number) => {
    if (!video) return;
    const to = clampFrame(f, count);
    target.current = to;
    video.currentTime = seekTime(to, rate);
  }, [video, rate, count]);

  const pause = useCallback(() => {
    stopReverse();
    setSpeed(1);
    if (!video) return;
    const wasPlaying = !video.paused;
    video.pause();
    video.playbackRate = 1;
    setPlaying(false);
    // The decoder may be past the frame on screen: settle on the centre of the frame people saw.
    if (wasPlaying) seek(shown.current);
  }, [video, seek]);

  const play = useCallback((s = 1) => {
    if (!video) return;
    stopReverse();
    target.current = null;
    if (count && shown.current >= count - 1) video.currentTime = seekTime(0, rate);
    video.playbackRate = s;
    setSpeed(s);
    void video.play();
  }, [video, count, rate]);

  const step = useCallback((delta: number) => {
    if (!video) return;
    if (!video.paused || reverse.current !== null) pause();
    seek((target.current ?? shown.current) + delta);
  }, [video, pause, seek]);

  const reverseAt = useCallback((s: number) => {
    if (!video) return;
    if (!video.paused) video.pause();
    stopReverse();
    setSpeed(-s);
    setPlaying(true);
    // No browser plays backwards: step back one frame per frame period, skipping a tick while a seek is pending.
    reverse.current = window.setInterval(() => {
      if (video.seeking) return;
      const next = (target.current ?? shown.current) - s;
      if (next < 0) {
        stopReverse();
        setPlaying(false);
        setSpeed(1);
        seek(0);
        return;
      }
      seek(next);
    }, (1000 * rate.den) / rate.num);
  }, [video, rate, seek]);

  const shuttle = useCallback((direction: -1 | 0 | 1) => {
    if (direction === 0) return pause();
    const current = playing ? speed : 0;
    const next = Math.sign(current) === direction ? Math.min(Math.abs(current) * 2, 4) : 1;
    if (direction > 0) play(next);
    else reverseAt(next);
  }, [pause, play, reverseAt, playing, speed]);

  const toggle = useCallback(() => (playing ? pause() : play(1)), [playing, pause, play]);

  useEffect(() => () => stopReverse(), []);

  return { frame, playing, speed, ready, seek, step, play, pause, toggle, shuttle };
}
