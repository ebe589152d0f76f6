// The public shape of a studio.
import type { StudioDoc } from '../repositories/models/Studio';

export interface StudioDto {
  id: string;
  name: string;
  slug: string;
  settings: { autoRender: boolean };
}

export function toStudioDto(s: StudioDoc): StudioDto {
  return { id: String(s._id), name: s.name, slug: s.slug, settings: { autoRender: Boolean(s.settings?.autoRender) } };
}
