// The Shell's Socket.IO connection for the pages under it, and small hooks over it.
import { createContext, useContext, useEffect, useRef } from 'react';
import type { Socket } from 'socket.io-client';

export const SocketContext = createContext<Socket | null>(null);

export const useSocket = () => useContext(SocketContext);

/** Listens to one server event while mounted; the latest handler is always the one called. */
export function useSocketEvent<T>(event: string, handler: (payload: T) => void) {
  const socket = useSocket();
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    if (!socket) return;
    const h = (p: T) => ref.current(p);
    socket.on(event, h);
    return () => { socket.off(event, h); };
  }, [socket, event]);
}

/**
 * Joins an asset's room (render progress goes only there) while mounted, and again after every reconnect,
 * since a new connection starts in no asset room.
 */
export function useAssetRoom(assetId: string | undefined) {
  const socket = useSocket();
  useEffect(() => {
    if (!socket || !assetId) return;
    const join = () => socket.emit('asset:join', { assetId }, () => undefined);
    if (socket.connected) join();
    socket.on('connect', join);
    return () => {
      socket.off('connect', join);
      if (socket.connected) socket.emit('asset:leave', { assetId }, () => undefined);
    };
  }, [socket, assetId]);
}
