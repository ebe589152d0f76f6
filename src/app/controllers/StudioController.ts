// HTTP in/out for the caller's studio.
import type { Request, Response } from 'express';
import type { StudioService } from '../services/StudioService';
import { studioSettingsBody } from '../../infra/http/validators/studio.validators';
import { actorOf } from '../../shared/middlewares/auth';

export class StudioController {
  constructor(private readonly studios: StudioService) {}

  updateSettings = async (req: Request, res: Response) => {
    const input = studioSettingsBody.parse(req.body);
    res.json(await this.studios.updateSettings(actorOf(req), input));
  };
}
