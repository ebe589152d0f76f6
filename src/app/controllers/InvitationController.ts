// HTTP in/out for /invitations: a studio's invitations, and the public side the invited person uses.
import type { Request, Response } from 'express';
import type { InvitationService } from '../services/InvitationService';
import { acceptInvitationBody, invitationTokenQuery, inviteBody, listInvitationsQuery } from '../../infra/http/validators/auth.validators';
import { idParams } from '../../infra/http/validators/common.validators';
import { actorOf } from '../../shared/middlewares/auth';

export class InvitationController {
  constructor(private readonly invitations: InvitationService) {}

  invite = async (req: Request, res: Response) => {
    const input = inviteBody.parse(req.body);
    const invitation = await this.invitations.invite(actorOf(req), input);
    res.status(201).location(`/invitations/${invitation.id}`).json(invitation);
  };

  list = async (req: Request, res: Response) => {
    res.json(await this.invitations.list(actorOf(req), listInvitationsQuery.parse(req.query)));
  };

  revoke = async (req: Request, res: Response) => {
    const { id } = idParams.parse(req.params);
    res.json(await this.invitations.revoke(actorOf(req), id));
  };

  preview = async (req: Request, res: Response) => {
    const { token } = invitationTokenQuery.parse(req.query);
    // The answer names the invited address: never kept by a shared cache.
    res.set('Cache-Control', 'no-store').json(await this.invitations.preview(token));
  };

  accept = async (req: Request, res: Response) => {
    const { token, ...input } = acceptInvitationBody.parse(req.body);
    res.status(201).json(await this.invitations.accept(token, input));
  };
}
