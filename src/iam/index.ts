/**
 * Coffer's IAM-compatible admin API (AWS Query protocol, version 2010-05-08). Recipe for the
 * server: build a `StoreBackedDirectory` (src/identity/directory.ts), then
 * `const iam = createIamApi({ directory, onInternalError })`, and route requests signed for
 * service `iam` to `iam({ params, caller, requestId, conditionKeys })`; details in api.ts.
 */
export {
    createIamApi,
    IAM_ACTIONS,
    type IamActionName,
    type IamApi,
    type IamApiDeps,
    type IamApiRequest,
    type IamApiResponse,
} from './api.js';
export { IAM_API_VERSION, IAM_CONTENT_TYPE, IAM_XMLNS } from './xml.js';
