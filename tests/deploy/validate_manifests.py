#!/usr/bin/python3
"""validate_manifests.py FILE.yaml...

Validates every object of the multi-document YAML (or JSON) files `orrery-cli export` and the
Kubernetes executor (its job.json) write:
- KServe InferenceService, Argo Rollouts Rollout and AnalysisTemplate against the
  openAPIV3Schema of the version they use, from the published CRDs in tests/schemas/
  (python3-jsonschema);
- Deployment, Service, Job, Rollout and AnalysisTemplate with the npm packages kubernetes-models
  and @kubernetes-models/argo-rollouts (validate_k8s_objects.mjs under node);
- every object's name as Kubernetes checks it (RFC 1123; a Service's a DNS-1035 label, a Job's a
  DNS-1123 label of at most 63 characters, which its pods carry as a label), which
  neither schema does.
An object that no validator covers is an error, so a new kind cannot pass unchecked.
Prints "valid KIND NAME: VALIDATOR" / "invalid KIND NAME: WHY" lines; exits 1 on any invalid one.
"""
import json
import os
import re
import subprocess
import sys

import jsonschema
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMAS = os.path.normpath(os.path.join(HERE, '..', 'schemas'))
CRDS = {
    ('serving.kserve.io/v1beta1', 'InferenceService'): 'kserve/serving.kserve.io_inferenceservices.yaml',
    ('argoproj.io/v1alpha1', 'Rollout'): 'argo-rollouts/rollout-crd.yaml',
    ('argoproj.io/v1alpha1', 'AnalysisTemplate'): 'argo-rollouts/analysis-template-crd.yaml',
}
NODE_KINDS = {('apps/v1', 'Deployment'), ('v1', 'Service'), ('batch/v1', 'Job'),
              ('argoproj.io/v1alpha1', 'Rollout'), ('argoproj.io/v1alpha1', 'AnalysisTemplate')}
DNS1035 = re.compile(r'^[a-z]([-a-z0-9]*[a-z0-9])?$')
DNS1123_LABEL = re.compile(r'^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')
DNS1123_SUBDOMAIN = re.compile(r'^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')

_schemas = {}


def crd_schema(api_version, kind):
    key = (api_version, kind)
    if key not in _schemas:
        with open(os.path.join(SCHEMAS, CRDS[key])) as f:
            crd = yaml.safe_load(f)
        version = api_version.split('/')[1]
        found = [v for v in crd['spec']['versions'] if v['name'] == version]
        if not found:
            raise SystemExit(f'{CRDS[key]} has no version {version}')
        _schemas[key] = found[0]['schema']['openAPIV3Schema']
    return _schemas[key]


def name_problem(obj):
    name = (obj.get('metadata') or {}).get('name', '')
    if obj.get('kind') == 'Service' or obj.get('kind') == 'InferenceService':
        if not DNS1035.match(name) or len(name) > 63:
            return f"name '{name}' is no DNS-1035 label"
    elif obj.get('kind') == 'Job':
        # The Job controller labels its pods job-name=NAME, and a label value is at most 63 characters.
        if not DNS1123_LABEL.match(name) or len(name) > 63:
            return f"name '{name}' is no DNS-1123 label of at most 63 characters"
    elif not DNS1123_SUBDOMAIN.match(name) or len(name) > 253:
        return f"name '{name}' is no RFC 1123 subdomain"
    return None


def main(paths):
    objects = []
    for path in paths:
        with open(path) as f:
            for doc in yaml.safe_load_all(f):
                if doc is not None:
                    objects.append((path, doc))
    if not objects:
        print('invalid: no objects in ' + ' '.join(paths))
        return 1
    failed = 0
    for path, obj in objects:
        key = (obj.get('apiVersion'), obj.get('kind'))
        label = f"{obj.get('kind')} {(obj.get('metadata') or {}).get('name')}"
        if key not in CRDS and key not in NODE_KINDS:
            print(f'invalid {label}: no validator for {key[0]} {key[1]} ({path})')
            failed += 1
        problem = name_problem(obj)
        if problem:
            print(f'invalid {label}: {problem} ({path})')
            failed += 1
        if key in CRDS:
            validator = jsonschema.Draft7Validator(crd_schema(*key))
            errors = sorted(validator.iter_errors(obj), key=lambda e: list(e.absolute_path))
            for e in errors:
                where = '/'.join(str(p) for p in e.absolute_path)
                print(f'invalid {label}: {CRDS[key]}: {where}: {e.message}')
            if errors:
                failed += 1
            else:
                print(f'valid {label}: {CRDS[key]} {key[0]}')
    node_objects = [obj for _, obj in objects if (obj.get('apiVersion'), obj.get('kind')) in NODE_KINDS]
    if node_objects:
        r = subprocess.run(['node', os.path.join(HERE, 'validate_k8s_objects.mjs')], input=json.dumps(node_objects),
                           capture_output=True, text=True, cwd=HERE)
        sys.stdout.write(r.stdout)
        if r.returncode != 0:
            failed += 1
            if 'ERR_MODULE_NOT_FOUND' in r.stderr or 'Cannot find package' in r.stderr:
                print('invalid: the npm validators are not installed in tests/deploy/node_modules; '
                      'run packaging/setup.sh --test')
            elif not r.stdout:
                print('invalid: node failed: ' + r.stderr.strip())
    return 1 if failed else 0


if __name__ == '__main__':
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    sys.exit(main(sys.argv[1:]))
