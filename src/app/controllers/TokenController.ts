// HTTP in/out for /tokens (personal access tokens) and /bots (a studio's non-human members and their tokens).
import type { Request, Response } from 'express';
import type { ApiTokenService } from '../services/ApiTokenService';
import { createBotBody, createTokenBody } from '../../infra/http/validators/token.validators';
import { idParams } from '../../infra/http/validators/common.validators';
import { actorOf } from '../../shared/middlewares/auth';

export class TokenController {
  constructor(private readonly tokens: ApiTokenService) {}

  create = async (req: Request, res: Response) => {
    const created = await this.tokens.createPersonal(actorOf(req), createTokenBody.parse(req.body), req.ip ?? null);
    // The secret is in this answer and nowhere else: never kept by a cache.
    res.status(201).set('Cache-Control', 'no-store').location(`/tokens/${created.id}`).json(created);
  };

  list = async (req: Request, res: Response) => {
    res.json({ data: await this.tokens.listPersonal(actorOf(req)), policy: this.tokens.policy });
  };

  revoke = async (req: Request, res: Response) => {
    const { id } = idParams.parse(req.params);
    res.json(await this.tokens.revoke(actorOf(req), id));
  };

  createBot = async (req: Request, res: Response) => {
    const bot = await this.tokens.createBot(actorOf(req), createBotBody.parse(req.body));
    res.status(201).location(`/users/${bot.id}`).json(bot);
  };

  listBots = async (req: Request, res: Response) => {
    res.json({ data: await this.tokens.listBots(actorOf(req)) });
  };

  createBotToken = async (req: Request, res: Response) => {
    const { id } = idParams.parse(req.params);
    const created = await this.tokens.createBotToken(actorOf(req), id, createTokenBody.parse(req.body), req.ip ?? null);
    res.status(201).set('Cache-Control', 'no-store').location(`/tokens/${created.id}`).json(created);
  };

  listBotTokens = async (req: Request, res: Response) => {
    const { id } = idParams.parse(req.params);
    res.json({ data: await this.tokens.listBotTokens(actorOf(req), id), policy: this.tokens.policy });
  };
}
