// Named counters (e.g. the last event number of a studio), each one document read and written by _id under
// a lease, since a concurrent $inc is not atomic on every MongoDB-wire server this runs on.
import { Schema } from 'mongoose';

export interface CounterDoc {
  _id: string;
  seq: number;
}

export const counterSchema = new Schema<CounterDoc>({ _id: { type: String, required: true }, seq: { type: Number, required: true } }, { versionKey: false });
