/** The review-apps room: an app per branch of a pipeline's repository, at stage review. */
export { createReviewApps, type ReviewApps, type ReviewAppDeps, type ReviewAppPush } from './service.js';
export { reviewAppName } from './naming.js';
