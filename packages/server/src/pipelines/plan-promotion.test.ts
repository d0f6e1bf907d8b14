import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PipelineCouplingRecord, PipelineStage } from '../store/types.js';
import { planPromotion, promotionDescription, type PromotionRequest } from './plan-promotion.js';

const at = new Date(0);
const aCoupling = (appId: string, stage: PipelineStage, pipelineId = 'p1'): PipelineCouplingRecord => ({ id: `c-${appId}`, pipelineId, appId, stage, createdAt: at, updatedAt: at });
const couplings = [aCoupling('dev', 'development'), aCoupling('stg', 'staging'), aCoupling('prod', 'production'), aCoupling('prod2', 'production'), aCoupling('rev', 'review'), aCoupling('other', 'production', 'p2')];
const req = (over: Partial<PromotionRequest> = {}): PromotionRequest => ({ pipelineId: 'p1', sourceAppId: 'stg', sourceAppName: 'stg', targetAppIds: [], sourceHasSlug: true, ...over });

describe('planPromotion', () => {
  const cases: [string, Partial<PromotionRequest>, ReturnType<typeof planPromotion>][] = [
    ['staging goes to every production app', {}, { ok: true, targetAppIds: ['prod', 'prod2'] }],
    ['development goes to staging', { sourceAppId: 'dev', sourceAppName: 'dev' }, { ok: true, targetAppIds: ['stg'] }],
    ['production is the end', { sourceAppId: 'prod', sourceAppName: 'prod' }, { ok: false, code: 'invalid_params', message: "Cannot promote prod from 'production' stage." }],
    ['review promotes only by hand', { sourceAppId: 'rev', sourceAppName: 'rev' }, { ok: false, code: 'invalid_params', message: "Cannot promote rev from 'review' stage." }],
    ['explicit targets, in the order given', { targetAppIds: ['prod2', 'dev'] }, { ok: true, targetAppIds: ['prod2', 'dev'] }],
    ['never to itself', { targetAppIds: ['stg'] }, { ok: false, code: 'invalid_params', message: 'Cannot promote stg to itself.' }],
    ['a target once', { targetAppIds: ['prod', 'prod'] }, { ok: false, code: 'invalid_params', message: 'A target app is named more than once.' }],
    ['targets of another pipeline are refused', { targetAppIds: ['other'] }, { ok: false, code: 'invalid_params', message: 'Target app other is not part of this pipeline.' }],
    ['a source outside the pipeline is refused', { pipelineId: 'p2' }, { ok: false, code: 'invalid_params', message: 'stg is not part of this pipeline.' }],
    ['a source without a slug is refused', { sourceHasSlug: false }, { ok: false, code: 'invalid_params', message: 'stg has no release with a slug to promote; deploy it first.' }],
  ];
  for (const [name, over, expected] of cases) it(name, () => assert.deepEqual(planPromotion(req(over), couplings), expected));

  it('says when the next stage is empty', () => {
    const plan = planPromotion(req(), couplings.filter((c) => c.stage !== 'production'));
    assert.deepEqual(plan, { ok: false, code: 'invalid_params', message: 'Cannot promote from stg as there are no downstream apps in production stage.' });
  });
});

describe('promotionDescription', () => {
  it('names the source, its version and the short commit, as Heroku does', () => {
    assert.equal(promotionDescription('shop-staging', 7, '1a2b3c4d5e6f7a8b'), 'Promote shop-staging v7 1a2b3c4d');
    assert.equal(promotionDescription('shop-staging', 3, null), 'Promote shop-staging v3');
  });
});
