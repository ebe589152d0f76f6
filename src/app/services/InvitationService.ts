// People join a studio by invitation: a PRODUCER invites an address to a role, a single-use link expiring
// after INVITATION_TTL_HOURS goes to that address, and following it creates the person's account (name
// and password chosen there) or joins their existing one (signed in with its password). The inviting
// studio learns nothing about the address beyond its own members: the answer is the same whether the
// address has an account elsewhere or not.
import { Types } from 'mongoose';
import { ConflictError, NotFoundError, ValidationError } from '../../shared/errors';
import type { InvitationRepository } from '../repositories/InvitationRepository';
import type { UserRepository } from '../repositories/UserRepository';
import type { AccountRepository } from '../repositories/AccountRepository';
import type { StudioRepository } from '../repositories/StudioRepository';
import type { InvitationDoc } from '../repositories/models/Invitation';
import type { Role } from '../repositories/models/User';
import type { Page } from '../repositories/pagination';
import type { LeaseLock } from '../../infra/database/LeaseLock';
import { isDuplicateKey } from '../../infra/database/errors';
import { hashRefreshToken } from './TokenService';
import { accountKind, newLinkToken, sendOrFail, toActor, type AccountKind, type AuthResult, type AuthService } from './AuthService';
import type { AccessService } from './AccessService';
import type { AuditService } from './AuditService';
import { mails, type MailLinks, type Mailer } from './Mailer';
import type { Actor } from './types';
import { toInvitationDto, type InvitationDto } from '../dto';

export interface InvitationPreview {
  studioName: string;
  email: string;
  role: Role;
  expiresAt: string;
  /** Whether the address has an account (confirmed or not); kept for clients that predate `account`. */
  accountExists: boolean;
  /** What accepting asks for: a name and a password (new), the account's password (existing), or a new password (unconfirmed). */
  account: AccountKind;
}

const LINK_INVALID = () => new ValidationError('LINK_INVALID', 'This invitation link is invalid, was already used, was withdrawn or has expired; ask the studio for a new one');
const NOT_FOUND = () => new NotFoundError('INVITATION_NOT_FOUND', 'Invitation not found');
const ALREADY_MEMBER = () => new ConflictError('ALREADY_MEMBER', 'This person is already a member of the studio');

export class InvitationService {
  constructor(
    private readonly deps: {
      invitations: InvitationRepository;
      users: UserRepository;
      accounts: AccountRepository;
      studios: StudioRepository;
      access: AccessService;
      audit: AuditService;
      locks: LeaseLock;
      mailer: Mailer;
      links: MailLinks;
      auth: AuthService;
      ttlHours: number;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** People only (AccessPolicy.PEOPLE_ONLY): an invitation makes a person, who would outlive any token. */
  async invite(actor: Actor, input: { email: string; role: Role }): Promise<InvitationDto> {
    this.deps.access.require(actor, 'user:invite');
    const { invitations, users, accounts, studios, mailer, links } = this.deps;
    const now = this.now();
    const email = input.email.trim();
    // Only this studio's own members are told apart (they are listed by GET /users anyway). The membership
    // read runs for unknown addresses too, so the time taken does not tell who has an account elsewhere.
    const account = await accounts.findByEmail(email);
    const member = await users.findMembership(actor.studioId, account?._id ?? new Types.ObjectId());
    if (member) throw ALREADY_MEMBER();
    const [inviter, studio] = await Promise.all([users.findById(actor.studioId, actor.id), studios.findById(actor.studioId)]);
    if (!inviter || !studio) throw new NotFoundError('STUDIO_NOT_FOUND', 'Studio not found');
    const link = newLinkToken();
    const expiresAt = new Date(now.getTime() + this.deps.ttlHours * 3_600_000);
    const invitation = await invitations.create({ studioId: studio._id, email, role: input.role, tokenHash: link.hash, invitedBy: inviter._id, expiresAt });
    const message = mails.invitation(links, { to: email, studioName: studio.name, inviterName: inviter.name, role: input.role, token: link.token, expiresAt, now });
    await sendOrFail(mailer, message, () => invitations.remove(studio._id, invitation._id));
    await this.deps.audit.record(actor, 'invitation.created', 'invitation', invitation._id, { email, role: input.role });
    return toInvitationDto(invitation, now);
  }

  async list(actor: Actor, req: { limit: number; cursor?: string }): Promise<Page<InvitationDto>> {
    this.deps.access.require(actor, 'invitation:manage');
    const now = this.now();
    const page = await this.deps.invitations.list(actor.studioId, req);
    return { ...page, data: page.data.map((i) => toInvitationDto(i, now)) };
  }

  /** Withdraws a pending invitation: its link stops working at once. */
  async revoke(actor: Actor, id: string): Promise<InvitationDto> {
    this.deps.access.require(actor, 'invitation:manage');
    const now = this.now();
    const current = await this.deps.invitations.findById(actor.studioId, id);
    if (!current) throw NOT_FOUND();
    const revoked = await this.deps.invitations.revoke(actor.studioId, current._id, now);
    if (!revoked) throw new ConflictError('INVITATION_CLOSED', 'This invitation was already accepted or withdrawn');
    await this.deps.audit.record(actor, 'invitation.revoked', 'invitation', current._id, { email: current.email });
    return toInvitationDto(revoked, now);
  }

  /** What the link's page shows before accepting; only the holder of the link (the address) learns it. */
  async preview(token: string): Promise<InvitationPreview> {
    const invitation = await this.open(token);
    const [studio, account] = await Promise.all([this.deps.studios.findById(invitation.studioId), this.deps.accounts.findByEmail(invitation.email)]);
    if (!studio) throw LINK_INVALID();
    return { studioName: studio.name, email: invitation.email, role: invitation.role, expiresAt: invitation.expiresAt.toISOString(), accountExists: account !== null, account: accountKind(account) };
  }

  /**
   * Accepts an invitation: the link proves the address. An existing account must give its password; a
   * new person gives a name and a password; an account never confirmed (migrated) is taken back with a new
   * password, ending its old sessions and tokens (AuthService.claimAccount). The result is a session in the
   * inviting studio.
   */
  async accept(token: string, input: { password: string; name?: string }): Promise<AuthResult> {
    const hash = hashRefreshToken(token);
    return this.deps.locks.withLock(`invitation:${hash}`, async () => {
      const { accounts, users, invitations } = this.deps;
      const now = this.now();
      const invitation = await this.open(token);
      const { account, created } = await this.deps.auth.claimAccount({ email: invitation.email, name: input.name, password: input.password }, now);
      let user;
      try {
        user = await users.create(invitation.studioId, { accountId: account._id, email: account.email, name: input.name ?? account.name, role: invitation.role });
      } catch (err) {
        if (created) await accounts.delete(account._id);
        if (isDuplicateKey(err)) throw ALREADY_MEMBER();
        throw err;
      }
      await invitations.markAccepted(invitation._id, user._id, now);
      await accounts.setLastStudio(account._id, user.studioId);
      await this.deps.audit.record(toActor(user), 'invitation.accepted', 'invitation', invitation._id, { role: user.role, newAccount: created });
      return this.deps.auth.signIn(user);
    });
  }

  /** The address an invitation link is for (undefined for an unusable link): the account whose password an accept may guess. */
  async invitationAddress(token: unknown): Promise<string | undefined> {
    if (typeof token !== 'string') return undefined;
    return (await this.open(token).catch(() => null))?.email;
  }

  /** The pending, unexpired invitation of a link, or 400 LINK_INVALID. */
  private async open(token: string): Promise<InvitationDoc> {
    const invitation = await this.deps.invitations.findByTokenHash(hashRefreshToken(token));
    if (!invitation || invitation.acceptedAt || invitation.revokedAt || invitation.expiresAt.getTime() <= this.now().getTime()) throw LINK_INVALID();
    return invitation;
  }
}
