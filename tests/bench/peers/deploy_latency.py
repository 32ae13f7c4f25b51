"""Desired state to applied: after `orrery-cli deploy start … --endpoint eK` returns, how long until
the workspace's server answers /v2/models/eK/ready with 200 (polled every 2 ms). Ten endpoints;
prints `bench deploy_applied_median_ms` and `bench deploy_applied_max_ms`.

    deploy_latency.py ORRERY_CLI WORKSPACE PORT
"""
import subprocess, sys, time, urllib.request, urllib.error

cli, ws, port = sys.argv[1], sys.argv[2], sys.argv[3]
def ready(path):
    try:
        return urllib.request.urlopen(f"http://127.0.0.1:{port}{path}").status == 200
    except (urllib.error.URLError, ConnectionError):
        return False

start = time.perf_counter()
while not ready("/v2/health/ready"):  # the server starting up is not what is measured
    if time.perf_counter() - start > 60:
        sys.exit("the server never became ready")
    time.sleep(0.05)
times = []
for k in range(10):
    endpoint = f"bench{k}"
    subprocess.run([cli, "deploy", "start", "fraud", "--alias", "champion", "--endpoint", endpoint],
                   cwd=ws, check=True, stdout=subprocess.DEVNULL)
    t = time.perf_counter()
    while not ready(f"/v2/models/{endpoint}/ready"):
        if time.perf_counter() - t > 30:
            sys.exit(f"endpoint {endpoint} never became ready")
        time.sleep(0.002)
    times.append((time.perf_counter() - t) * 1000)
times.sort()
print(f"bench deploy_applied_median_ms {times[len(times)//2]:.1f} ms")
print(f"bench deploy_applied_max_ms {times[-1]:.1f} ms")
