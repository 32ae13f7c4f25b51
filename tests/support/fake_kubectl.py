#!/usr/bin/python3
"""A stand-in for kubectl, for tests of Orrery's Kubernetes executor where there is no cluster.

Tests put a `kubectl` on PATH that execs this script. Everything lives in $FAKE_KUBECTL_DIR:

  scenario.json   what the "cluster" answers (written by the test):
    contexts      the names `config get-contexts -o name` prints
    current       `config current-context`; absent: none is set (exit 1, as kubectl)
    apply_error   when set, `apply` fails with it on stderr (exit 1)
    api_error     when set, every `get` fails with it on stderr (exit 1): an unreachable API server
    steps         [{"job": JOB_STATUS or null, "pods": [POD, ...]}, ...]: each `get job` answers
                  the next step (the last one repeats) — its status under the applied Job's
                  metadata and spec; null: the Job is gone (NotFound); `get pods` answers the
                  pods of the step the last `get job` answered
    logs          what `logs job/NAME` prints; logs_error: it fails with that instead
    run           true: `apply` runs the container's command from the manifest here, in its
                  workingDir with its env over this process's, and the Job then ends as the
                  command did (Complete, or Failed with its exit code); `logs` prints its output
  calls.jsonl     one line per call, appended: {"argv": [...], "stdin": "..."}
  applied.json    the last manifest applied
  deleted         present once `delete job` was called: the Job is NotFound from then on

The answers are shaped like kubectl's (`-o json` objects, NotFound errors), so the executor
reads them exactly as it reads a real cluster's.
"""
import json
import os
import subprocess
import sys

HERE = os.environ['FAKE_KUBECTL_DIR']


def path(name):
    return os.path.join(HERE, name)


def load(name, default=None):
    try:
        with open(path(name)) as f:
            return json.load(f)
    except FileNotFoundError:
        return default


def save(name, value):
    with open(path(name) + '.tmp', 'w') as f:
        json.dump(value, f)
    os.replace(path(name) + '.tmp', path(name))


def fail(message, code=1):
    sys.stderr.write(message + '\n')
    sys.exit(code)


def main(argv):
    stdin = '' if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read()
    with open(path('calls.jsonl'), 'a') as f:
        f.write(json.dumps({'argv': argv, 'stdin': stdin}) + '\n')
    scenario = load('scenario.json', {})

    # Global flags, wherever they are.
    args, flags, i = [], {}, 0
    while i < len(argv):
        if argv[i] in ('--context', '--namespace', '-n'):
            flags[argv[i]] = argv[i + 1]
            i += 2
        else:
            args.append(argv[i])
            i += 1

    if args[:2] == ['config', 'get-contexts']:
        print('\n'.join(scenario.get('contexts', [])))
        return 0
    if args[:2] == ['config', 'current-context']:
        if 'current' not in scenario:
            fail('error: current-context is not set')
        print(scenario['current'])
        return 0
    if args[:1] == ['apply']:
        if scenario.get('apply_error'):
            fail(scenario['apply_error'])
        with open(args[args.index('-f') + 1]) as f:
            manifest = json.load(f)
        save('applied.json', manifest)
        if scenario.get('run'):
            run_locally(manifest)
        print(f"job.batch/{manifest['metadata']['name']} created")
        return 0

    manifest = load('applied.json', {})
    name = manifest.get('metadata', {}).get('name', '')
    not_found = f'Error from server (NotFound): jobs.batch "{name}" not found'
    if args[:2] == ['get', 'job']:
        if scenario.get('api_error'):
            fail(scenario['api_error'])
        if os.path.exists(path('deleted')):
            fail(not_found)
        step = current_step(scenario, advance=True)
        if step['job'] is None:
            fail(not_found)
        print(json.dumps({'apiVersion': 'batch/v1', 'kind': 'Job', 'metadata': manifest['metadata'],
                          'spec': manifest['spec'], 'status': step['job']}))
        return 0
    if args[:2] == ['get', 'pods']:
        if scenario.get('api_error'):
            fail(scenario['api_error'])
        print(json.dumps({'apiVersion': 'v1', 'kind': 'List', 'items': current_step(scenario, advance=False)['pods']}))
        return 0
    if args[:1] == ['logs']:
        if scenario.get('logs_error'):
            fail(scenario['logs_error'])
        ran = load('ran.json')
        sys.stdout.write(ran['output'] if ran else scenario.get('logs', ''))
        return 0
    if args[:2] == ['delete', 'job']:
        open(path('deleted'), 'w').close()
        print(f'job.batch "{name}" deleted')
        return 0
    fail('fake kubectl: no answer for ' + ' '.join(argv), 2)


def current_step(scenario, advance):
    """The step the last `get job` answered (advance: the next one, counted)."""
    if load('ran.json') is not None:
        return ran_step()
    steps = scenario.get('steps', [{'job': {}, 'pods': []}])
    n = load('step.json', -1)
    if advance:
        n += 1
        save('step.json', n)
    return steps[min(max(n, 0), len(steps) - 1)]


def run_locally(manifest):
    container = manifest['spec']['template']['spec']['containers'][0]
    env = dict(os.environ)
    for e in container.get('env', []):
        env[e['name']] = e['value']
    r = subprocess.run(container['command'], cwd=container.get('workingDir'), env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    save('ran.json', {'exit': r.returncode, 'output': r.stdout})


def ran_step():
    code = load('ran.json')['exit']
    terminated = {'exitCode': code, 'reason': 'Completed' if code == 0 else 'Error'}
    pod = {'metadata': {'name': 'ran-pod', 'creationTimestamp': '2024-05-01T10:00:00Z'},
           'spec': {'nodeName': 'fake-node'},
           'status': {'phase': 'Succeeded' if code == 0 else 'Failed',
                      'containerStatuses': [{'name': 'job', 'state': {'terminated': terminated}}]}}
    if code == 0:
        job = {'succeeded': 1, 'conditions': [{'type': 'Complete', 'status': 'True'}]}
    else:
        job = {'failed': 1, 'conditions': [{'type': 'Failed', 'status': 'True', 'reason': 'BackoffLimitExceeded',
                                            'message': 'Job has reached the specified backoff limit'}]}
    return {'job': job, 'pods': [pod]}


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
