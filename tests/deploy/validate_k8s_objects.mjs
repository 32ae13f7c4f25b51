// validate_k8s_objects.mjs: reads a JSON array of Kubernetes objects on stdin and validates each
// with the npm packages kubernetes-models (Deployment, Service, Job) and @kubernetes-models/argo-rollouts
// (Rollout, AnalysisTemplate): `new Model(object).validate()` checks the object against the
// published OpenAPI schema of its kind. Prints "valid KIND NAME: PACKAGE" or "invalid KIND NAME:
// WHY" for each object; exits 1 when any object is invalid or has no model here.
// Run by validate_manifests.py; the packages live in tests/deploy/node_modules (package.json,
// installed by packaging/setup.sh --test).
import { readFileSync } from 'node:fs';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Service } from 'kubernetes-models/v1/Service';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Rollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import { AnalysisTemplate } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate';

const models = {
  'apps/v1/Deployment': [Deployment, 'kubernetes-models'],
  'v1/Service': [Service, 'kubernetes-models'],
  'batch/v1/Job': [Job, 'kubernetes-models'],
  'argoproj.io/v1alpha1/Rollout': [Rollout, '@kubernetes-models/argo-rollouts'],
  'argoproj.io/v1alpha1/AnalysisTemplate': [AnalysisTemplate, '@kubernetes-models/argo-rollouts'],
};

const objects = JSON.parse(readFileSync(0, 'utf8'));
let failed = 0;
for (const object of objects) {
  const name = `${object.kind} ${object.metadata?.name}`;
  const entry = models[`${object.apiVersion}/${object.kind}`];
  if (!entry) {
    console.log(`invalid ${name}: no kubernetes-models class for ${object.apiVersion} ${object.kind}`);
    failed++;
    continue;
  }
  const [Model, pkg] = entry;
  try {
    new Model(object).validate();
    console.log(`valid ${name}: ${pkg}`);
  } catch (e) {
    console.log(`invalid ${name}: ${pkg}: ${e.message}`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
