/** Platform API shapes of environments: pipelines, couplings, promotions, app setups (heroku-contract-2.md C1). */

export type PipelineStageName = 'review' | 'development' | 'staging' | 'production';

export interface Pipeline {
  id: string;
  name: string;
  owner: { id: string; type: 'user' | 'team' };
  generation: { id: string; name: string };
  created_at: string;
  updated_at: string;
}

export interface PipelineCoupling {
  id: string;
  app: { id: string; name: string };
  pipeline: { id: string; name: string };
  stage: PipelineStageName;
  created_at: string;
  updated_at: string;
}

export interface PipelinePromotion {
  id: string;
  pipeline: { id: string };
  source: { app: { id: string }; release: { id: string } };
  /** Heroku's values: `pending` while any target is, then `completed`. */
  status: 'pending' | 'completed';
  created_at: string;
  updated_at: string | null;
}

export interface PipelinePromotionTarget {
  id: string;
  app: { id: string };
  pipeline_promotion: { id: string };
  release: { id: string } | null;
  status: 'pending' | 'succeeded' | 'failed';
  error_message: string | null;
}

export interface AppSetup {
  id: string;
  app: { id: string; name: string };
  build: { id: string; status: string; output_stream_url: string | null } | null;
  status: 'pending' | 'succeeded' | 'failed';
  failure_message: string | null;
  manifest_errors: string[];
  postdeploy: { output: string; exit_code: number } | null;
  resolved_success_url: string | null;
  created_at: string;
  updated_at: string;
}
