// Every module that registers OpenAPI entries, loaded for their registrations: the document must not
// depend on which controllers happen to import which schemas.
import './asset.validators';
import './auth.validators';
import './common.validators';
import './pipeline.validators';
import './render.validators';
import './review.validators';
import './studio.validators';
import './version.validators';
import './token.validators';
import './event.validators';
import './production.validators';
import './upload-session.validators';
import './storage.validators';
import './blob.validators';
