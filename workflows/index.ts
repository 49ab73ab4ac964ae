export { complaintWorkflow } from './complaint';
export { periodicReviewWorkflow } from './review';
