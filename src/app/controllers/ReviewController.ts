// HTTP in/out for comments and review decisions.
import type { Request, Response } from 'express';
import type { ReviewService } from '../services/ReviewService';
import { assetIdParams } from '../../infra/http/validators/asset.validators';
import { versionParams } from '../../infra/http/validators/version.validators';
import { commentBody, commentsQuery, decisionsQuery, reviewBody } from '../../infra/http/validators/review.validators';
import { actorOf } from '../../shared/middlewares/auth';

export class ReviewController {
  constructor(private readonly reviews: ReviewService) {}

  listComments = async (req: Request, res: Response) => {
    const { id } = assetIdParams.parse(req.params);
    res.json(await this.reviews.comments(actorOf(req), id, commentsQuery.parse(req.query)));
  };

  addComment = async (req: Request, res: Response) => {
    const { id } = assetIdParams.parse(req.params);
    const comment = await this.reviews.comment(actorOf(req), id, commentBody.parse(req.body));
    res.status(201).json(comment);
  };

  listDecisions = async (req: Request, res: Response) => {
    const { id } = assetIdParams.parse(req.params);
    res.json(await this.reviews.decisions(actorOf(req), id, decisionsQuery.parse(req.query)));
  };

  decide = async (req: Request, res: Response) => {
    const { id, v } = versionParams.parse(req.params);
    const { decision, note } = reviewBody.parse(req.body);
    res.status(201).json(await this.reviews.decide(actorOf(req), id, v, decision, note));
  };
}
