// The app's one upload queue: uploads go on while the user moves between pages.
import { UploadQueue } from './queue';
import { tusTransport } from './tusTransport';

let queue: UploadQueue | null = null;
export const uploadQueue = () => (queue ??= new UploadQueue(tusTransport(), { concurrency: 2 }));
