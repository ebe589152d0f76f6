// HTTP in/out for projects, episodes, sequences, shots, the shot and asset grids, casting and the editorial import.
import type { Request, Response } from 'express';
import type { ProjectService } from '../services/ProjectService';
import type { ShotService } from '../services/ShotService';
import type { EditorialService } from '../services/EditorialService';
import type { GridService } from '../services/GridService';
import { idParams, pageQuery } from '../../infra/http/validators/common.validators';
import {
  castingBody,
  createEpisodeBody,
  createProjectBody,
  createSequenceBody,
  createShotBody,
  gridQuery,
  shotGridQuery,
  importQuery,
  listProjectsQuery,
  updateProjectBody,
  updateSequenceBody,
  updateShotBody,
} from '../../infra/http/validators/production.validators';
import { actorOf } from '../../shared/middlewares/auth';
import { UnsupportedMediaTypeError } from '../../shared/errors';
import { sendJsonSliced } from '../../infra/http/slicedJson';

/** What each format may be sent as (an .edl has no registered type: browsers send octet-stream or plain text). */
const EDITORIAL_TYPES = {
  csv: ['text/csv', 'text/plain'],
  edl: ['text/plain', 'application/x-edl', 'application/octet-stream'],
  otio: ['application/vnd.opentimelineio+json', 'application/octet-stream'],
} as const;

const etag = (x: { id: string; revision: number }) => `"${x.id}.${x.revision}"`;

export class ProductionController {
  constructor(private readonly s: { projects: ProjectService; shots: ShotService; grids: GridService; editorial: EditorialService }) {}

  createProject = async (req: Request, res: Response) => {
    const project = await this.s.projects.create(actorOf(req), createProjectBody.parse(req.body));
    res.status(201).location(`/projects/${project.id}`).set('ETag', etag(project)).json(project);
  };

  listProjects = async (req: Request, res: Response) => {
    res.json(await this.s.projects.list(actorOf(req), listProjectsQuery.parse(req.query)));
  };

  getProject = async (req: Request, res: Response) => {
    const project = await this.s.projects.get(actorOf(req), idParams.parse(req.params).id);
    res.set('ETag', etag(project)).json(project);
  };

  updateProject = async (req: Request, res: Response) => {
    const { id } = idParams.parse(req.params);
    const project = await this.s.projects.update(actorOf(req), id, updateProjectBody.parse(req.body), req.header('if-match'));
    res.set('ETag', etag(project)).json(project);
  };

  listEpisodes = async (req: Request, res: Response) => {
    res.json(await this.s.projects.listEpisodes(actorOf(req), idParams.parse(req.params).id, pageQuery.parse(req.query)));
  };

  createEpisode = async (req: Request, res: Response) => {
    res.status(201).json(await this.s.projects.createEpisode(actorOf(req), idParams.parse(req.params).id, createEpisodeBody.parse(req.body)));
  };

  listSequences = async (req: Request, res: Response) => {
    res.json(await this.s.projects.listSequences(actorOf(req), idParams.parse(req.params).id, pageQuery.parse(req.query)));
  };

  createSequence = async (req: Request, res: Response) => {
    const sequence = await this.s.projects.createSequence(actorOf(req), idParams.parse(req.params).id, createSequenceBody.parse(req.body));
    res.status(201).location(`/sequences/${sequence.id}`).json(sequence);
  };

  getSequence = async (req: Request, res: Response) => {
    res.json(await this.s.projects.getSequence(actorOf(req), idParams.parse(req.params).id));
  };

  updateSequence = async (req: Request, res: Response) => {
    res.json(await this.s.projects.updateSequence(actorOf(req), idParams.parse(req.params).id, updateSequenceBody.parse(req.body)));
  };

  listShots = async (req: Request, res: Response) => {
    res.json(await this.s.shots.listBySequence(actorOf(req), idParams.parse(req.params).id, pageQuery.parse(req.query)));
  };

  createShot = async (req: Request, res: Response) => {
    const shot = await this.s.shots.create(actorOf(req), idParams.parse(req.params).id, createShotBody.parse(req.body));
    res.status(201).location(`/shots/${shot.id}`).set('ETag', etag(shot)).json(shot);
  };

  getShot = async (req: Request, res: Response) => {
    const shot = await this.s.shots.get(actorOf(req), idParams.parse(req.params).id);
    res.set('ETag', etag(shot)).json(shot);
  };

  updateShot = async (req: Request, res: Response) => {
    const { id } = idParams.parse(req.params);
    const shot = await this.s.shots.update(actorOf(req), id, updateShotBody.parse(req.body), req.header('if-match'));
    res.set('ETag', etag(shot)).json(shot);
  };

  grid = async (req: Request, res: Response) => {
    res.json(await this.s.grids.shots(actorOf(req), idParams.parse(req.params).id, shotGridQuery.parse(req.query)));
  };

  assetGrid = async (req: Request, res: Response) => {
    res.json(await this.s.grids.assets(actorOf(req), idParams.parse(req.params).id, gridQuery.parse(req.query)));
  };

  shotCasting = async (req: Request, res: Response) => {
    res.json(await this.s.shots.castingOfShot(actorOf(req), idParams.parse(req.params).id));
  };

  setShotCasting = async (req: Request, res: Response) => {
    const { id } = idParams.parse(req.params);
    res.json(await this.s.shots.setCasting(actorOf(req), id, castingBody.parse(req.body).items));
  };

  assetCasting = async (req: Request, res: Response) => {
    res.json(await this.s.shots.castingOfAsset(actorOf(req), idParams.parse(req.params).id));
  };

  importEditorial = async (req: Request, res: Response) => {
    const { id } = idParams.parse(req.params);
    const { format, dryRun, expect } = importQuery.parse(req.query);
    if (format === 'otio' && req.is('application/json') && req.body !== undefined && typeof req.body === 'object') {
      // Already parsed by the JSON body parser (within JSON_BODY_LIMIT).
      await sendJsonSliced(res, await this.s.editorial.import(actorOf(req), id, format, { document: req.body as unknown }, dryRun, expect));
      return;
    }
    const wanted = EDITORIAL_TYPES[format];
    if (!req.is([...wanted])) throw new UnsupportedMediaTypeError('UNSUPPORTED_MEDIA_TYPE', `Send the ${format.toUpperCase()} file with Content-Type ${wanted.join(' or ')}`);
    const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    let report;
    try {
      // The body is read by the service, after the access check, and only as far as the caps let it.
      // Not destroyed when the reader stops early: the client still gets its answer (see below).
      const body = req.iterator({ destroyOnReturn: false });
      report = await this.s.editorial.import(actorOf(req), id, format, { body, declaredBytes: declared }, dryRun, expect);
    } catch (err) {
      // A refused body within the cap is drained after the answer (cheap, and the client reads the answer
      // instead of a reset); one declared larger, or of unknown length, gets the answer and the connection closed.
      if (declared === undefined || !(declared <= this.s.editorial.maxBytes(format))) res.set('Connection', 'close');
      throw err;
    }
    // A report of 10,000 shots is megabytes of JSON: written in slices (see slicedJson).
    await sendJsonSliced(res, report);
  };

  exportEditorial = async (req: Request, res: Response) => {
    const otio = await this.s.editorial.export(actorOf(req), idParams.parse(req.params).id);
    res.type('application/vnd.opentimelineio+json').set('Content-Disposition', 'attachment; filename="cut.otio"').send(JSON.stringify(otio));
  };
}
