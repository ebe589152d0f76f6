// The public shape of a studio member.
import type { Role, UserDoc } from '../repositories/models/User';

export interface UserDto {
  id: string;
  studioId: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export function toUserDto(u: UserDoc): UserDto {
  return {
    id: String(u._id),
    studioId: String(u.studioId),
    email: u.email,
    name: u.name,
    role: u.role,
    active: u.active,
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  };
}
