// Studios are the tenants themselves, so this is the one repository without a studioId scope.
import { Types } from 'mongoose';
import type { Models } from './models';
import type { StudioDoc } from './models/Studio';

export class StudioRepository {
  constructor(private readonly models: Models) {}

  async create(input: { name: string; slug: string }): Promise<StudioDoc> {
    const doc = await this.models.Studio.create(input);
    return doc.toObject();
  }

  findById(studioId: Types.ObjectId | string): Promise<StudioDoc | null> {
    return this.models.Studio.findById(studioId).lean<StudioDoc>().exec();
  }

  findByIds(ids: Types.ObjectId[]): Promise<StudioDoc[]> {
    return this.models.Studio.find({ _id: { $in: ids } }).limit(ids.length).lean<StudioDoc[]>().exec();
  }

  async delete(studioId: Types.ObjectId): Promise<void> {
    await this.models.Studio.deleteOne({ _id: studioId }).exec();
  }


  async updateSettings(studioId: Types.ObjectId | string, settings: { autoRender?: boolean }): Promise<StudioDoc | null> {
    const set = Object.fromEntries(Object.entries(settings).map(([k, v]) => [`settings.${k}`, v]));
    return this.models.Studio.findOneAndUpdate({ _id: studioId }, { $set: set }, { returnDocument: 'after' }).lean<StudioDoc>().exec();
  }
}
