#!/usr/bin/env bash
# A one-node Slurm cluster on this machine for the tests (../shared/PLATFORM.md, "A one-machine
# Slurm cluster"): munged, slurmctld and slurmd as root, everything of theirs — slurm.conf, state,
# spool, logs, pid files, munge's socket — in one private folder, so /etc/slurm stays untouched
# and two build folders do not share a cluster's state.
#
#   slurm_cluster.sh start DIR   write DIR/slurm.conf, start the daemons, wait until the node is idle
#   slurm_cluster.sh stop DIR    stop what `start` started, remove DIR's state (keeps DIR/*.log)
#   slurm_cluster.sh env DIR     print SLURM_CONF=DIR/slurm.conf (what a client needs)
#
# Clients reach it with SLURM_CONF=DIR/slurm.conf in their environment (sbatch, squeue, scontrol,
# scancel, sinfo all read it; the conf names munge's socket, so no other setting is needed).
#
# The cluster:
#   node       `hostname -s`, NodeAddr=127.0.0.1, CPUs=`nproc`, RealMemory = 90% of MemTotal (MiB)
#   partitions debug (Default, MaxTime=INFINITE) and small (MaxTime=1 minute, MaxMemPerNode=256 MiB)
#   memory     consumable (CR_Core_Memory): a job without --mem gets DefMemPerCPU, 1024 MiB per CPU
#              in debug, 128 in small (the node's whole memory otherwise: one job at a time)
#   EnforcePartLimits=ALL: a job beyond a partition's limits is refused at submission with Slurm's
#   message instead of pending for ever; sbatch exits 1 and prints no id:
#     -p small --mem=1G   "sbatch: error: Batch job submission failed: Memory required by task is not available"
#     -p small --time=5   "sbatch: error: Batch job submission failed: Requested time limit is invalid (missing or exceeds some limit)"
#     -p nowhere          "sbatch: error: invalid partition specified: nowhere" (and "... Invalid partition name specified")
#     -c 8 (2 CPUs here)  "sbatch: error: Batch job submission failed: More processors requested than permitted"
#   ports      SlurmctldPort = 17000 + (cksum of DIR % 500) * 2, SlurmdPort = SlurmctldPort + 1
#              (ORRERY_SLURM_PORT overrides the first), so the clusters of two build folders on one
#              machine do not collide.
#
# What reports a job's state and exit code under this config (accounting_storage/none), checked
# on Slurm 22.05 here:
#   scontrol -o show job ID   every state, one line of KEY=VALUE, finished jobs too for MinJobAge
#                     (here 3600 s) after their end — the one to read an outcome from:
#                       done          JobState=COMPLETED Reason=None ExitCode=0:0   (STATUS:SIGNAL)
#                       script exit 3 JobState=FAILED Reason=NonZeroExitCode ExitCode=3:0
#                       scancel       JobState=CANCELLED ExitCode=0:15
#                       time limit    JobState=TIMEOUT Reason=TimeLimit ExitCode=0:15 (slurmctld
#                                     checks limits every ~30 s: a 1-minute job ends after 60-90 s)
#                       pending       JobState=PENDING Reason=Resources|Priority|...; running: NodeList=NODE
#                     An id slurmctld does not know (purged, or never was): "slurm_load_jobs error:
#                     Invalid job id specified", exit 1.
#   squeue            pending and running jobs only by default: a finished job's `squeue -h -j ID`
#                     prints nothing (exit 0). With `-t all` it lists finished ones too while
#                     slurmctld keeps them (`squeue -h -t all -j ID -o '%i %T %r %N'` ->
#                     "5 COMPLETED None vm"; "6 PENDING Resources "). No exit-code field.
#   sacct             does not work: "Slurm accounting storage is disabled" (exit 1).
#   DIR/jobcomp.txt   jobcomp/filetxt: one line per finished job ("JobId=5 ... JobState=COMPLETED
#                     ... ExitCode=0:0"), kept after slurmctld forgets the job.
set -euo pipefail

usage() {
  echo "usage: $0 start|stop|env DIR" >&2
  exit 2
}
(($# == 2)) || usage
action=$1
dir=$2
[[ "$dir" == /* ]] || dir="$PWD/$dir"
conf="$dir/slurm.conf"
export SLURM_CONF="$conf"

fail() {
  echo "slurm_cluster: $*" >&2
  exit 1
}

# The pid in FILE, when that process is alive.
live_pid() {
  local pid
  [[ -f "$1" ]] || return 1
  pid=$(cat "$1" 2>/dev/null) || return 1
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# Sends TERM to the pid in FILE and waits (bounded) until it is gone, then KILL.
stop_pid_file() {
  local file=$1 name=$2 pid i
  pid=$(live_pid "$file") || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  echo "slurm_cluster: $name (pid $pid) did not stop on TERM within 10 s; killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
}

stop() {
  # Jobs first, while slurmctld and slurmd can still end them whole (their steps and scripts).
  if live_pid "$dir/slurmctld.pid" >/dev/null; then
    local jobs i
    jobs=$(squeue -h -o %i 2>/dev/null || true)
    if [[ -n "$jobs" ]]; then
      # shellcheck disable=SC2086 # one id per word
      scancel $jobs 2>/dev/null || true
      for ((i = 0; i < 100; i++)); do
        [[ -z "$(squeue -h -o %i 2>/dev/null || true)" ]] && break
        sleep 0.1
      done
    fi
  fi
  # slurmd first (it would try to reach slurmctld), munged last (both authenticate through it).
  stop_pid_file "$dir/slurmd.pid" slurmd
  stop_pid_file "$dir/slurmctld.pid" slurmctld
  stop_pid_file "$dir/munge/munged.pid" munged
  # What a killed slurmd left behind (proctrack/linuxproc does not reap a job on the daemon's
  # death): this cluster's job processes, known by SLURM_JOB_ID and this SLURM_CONF in their
  # environment (sbatch exports the submitter's, slurmstepd inherits slurmd's).
  local p env
  for p in /proc/[0-9]*; do
    [[ "${p#/proc/}" == "$$" ]] && continue
    env=$(tr '\0' '\n' 2>/dev/null <"$p/environ") || continue
    if grep -qxF "SLURM_CONF=$conf" <<<"$env" && { grep -q '^SLURM_JOB_ID=' <<<"$env" || [[ "$(cat "$p/comm" 2>/dev/null)" == slurmstepd ]]; }; then
      kill -KILL "${p#/proc/}" 2>/dev/null || true
    fi
  done
  rm -rf "$dir/state" "$dir/spool" "$dir/munge"
}

start() {
  for tool in munged munge slurmctld slurmd sinfo scontrol; do
    command -v "$tool" >/dev/null || fail "$tool is missing: packaging/setup.sh --test installs slurm-wlm and munge"
  done
  [[ $(id -u) -eq 0 ]] || fail "the test cluster runs its daemons as root (SlurmUser=root); run as root, as CI does"
  [[ -r /etc/munge/munge.key ]] || fail "/etc/munge/munge.key is missing (the munge package makes it at install; reinstall munge)"

  # A cluster of an earlier run that was not stopped (a killed ctest): stop it first.
  stop
  mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
  # munged refuses a socket folder others can write to, and a key that is not its user's.
  chmod 0700 "$dir/munge"

  local node cpus mem_kib real_mem port
  node=$(hostname -s)
  cpus=$(nproc)
  mem_kib=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
  # A little under the machine's: slurmd drains a node whose RealMemory is above what it finds.
  real_mem=$((mem_kib * 9 / 10240))
  port=${ORRERY_SLURM_PORT:-$((17000 + $(printf '%s' "$dir" | cksum | cut -d' ' -f1) % 500 * 2))}

  cat >"$conf" <<EOF
# Written by tests/support/slurm_cluster.sh: a one-node test cluster. Do not edit; it is rewritten at each start.
ClusterName=orrery-test
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# Memory is a consumable: a job that asks for none gets 1 GiB per CPU, not the whole node (which
# would run jobs one at a time).
DefMemPerCPU=1024
SchedulerType=sched/backfill
MpiDefault=none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.txt
# A finished job stays in slurmctld's memory (scontrol show job) this long: an hour, longer than any test.
MinJobAge=3600
# Refuse at submission what a partition's limits do not allow (the default queues it for ever).
EnforcePartLimits=ALL
ReturnToService=2
# Prompt scheduling and state changes, for tests that wait on them.
SchedulerParameters=sched_interval=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$real_mem State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
PartitionName=small Nodes=$node MaxTime=1 MaxMemPerNode=256 DefMemPerCPU=128 State=UP
EOF

  munged --socket="$dir/munge/munge.socket" --pid-file="$dir/munge/munged.pid" \
         --seed-file="$dir/munge/munged.seed" --log-file="$dir/munge.log" --force \
    || fail "munged did not start; see $dir/munge.log"
  munge --socket="$dir/munge/munge.socket" -n >/dev/null \
    || fail "munged started but does not answer on $dir/munge/munge.socket; see $dir/munge.log"
  # -i: a fresh state (no jobs from an earlier run).
  slurmctld -i || fail "slurmctld did not start; see $dir/slurmctld.log"
  slurmd || fail "slurmd did not start; see $dir/slurmd.log"

  # Bounded wait for the node to register and be idle: slurmd registers within a second or two;
  # 60 s covers a loaded 2-core machine.
  local state="" i
  for ((i = 0; i < 600; i++)); do
    state=$(sinfo -h -n "$node" -o %T 2>/dev/null | head -n1 || true)
    [[ "$state" == idle ]] && break
    sleep 0.1
  done
  if [[ "$state" != idle ]]; then
    echo "slurm_cluster: node $node is '${state:-not reported}' after 60 s, not idle. slurmctld.log and slurmd.log:" >&2
    tail -n 20 "$dir/slurmctld.log" "$dir/slurmd.log" >&2 || true
    stop
    exit 1
  fi
  echo "slurm_cluster: node $node idle, partitions debug (default) and small; SLURM_CONF=$conf"
}

case "$action" in
  start) start ;;
  stop)
    stop
    echo "slurm_cluster: stopped ($dir)"
    ;;
  env) echo "SLURM_CONF=$conf" ;;
  *) usage ;;
esac
