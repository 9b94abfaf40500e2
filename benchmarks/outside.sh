#!/bin/sh
# Issue 11's process-level harness: starts the built jar as `vfio-sim serve`, measures it from
# outside with the neutral client (vubench) and puts every figure next to the machine's own
# ceiling (sockceil) measured in the same round, interleaved, for several rounds. Prints one line
# per measurement and, at the end, the median ratio per goal. Shared machines are noisy: only
# the ratios mean something, never an absolute figure from another run.
#
# usage: benchmarks/outside.sh [TOOLS_DIR] [ROUNDS] [GOALS]
#   TOOLS_DIR  directory holding the vubench, sockceil and eventfd-loop binaries, and optionally
#              msg-echo and checksummed-stream (or $VFIOSIM_TOOLS; build them outside the repo: see
#              BENCHMARKS.md)
#   ROUNDS     rounds per goal, default 3 (or $ROUNDS)
#   GOALS      any of p1 p1warmup p3 p4 p6 p7, default all (or $GOALS)
# JAVA picks the java binary; CPU (default 0) is the CPU that pinned runs share.
# BUILDS compares builds side by side in the same rounds: "LABEL=CHECKOUT ..." (each a checkout with
# its jar built), e.g. BUILDS="before=/path/to/old-checkout after=." ; default: this checkout alone.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
tools=${1:-${VFIOSIM_TOOLS:-}}
rounds=${2:-${ROUNDS:-3}}
goals=${3:-${GOALS:-p1 p1warmup p3 p4 p6 p7}}
cpu=${CPU:-0}
java=${JAVA:-java}
builds=${BUILDS:-this=$root}
if [ -z "$tools" ] || [ ! -x "$tools/vubench" ] || [ ! -x "$tools/sockceil" ]; then
    echo "outside.sh: give the directory with the vubench and sockceil binaries (arg 1 or VFIOSIM_TOOLS)" >&2
    exit 2
fi
for b in $builds; do
    [ -f "${b#*=}/cli/target/vfio-sim.jar" ] || { echo "outside.sh: ${b#*=}/cli/target/vfio-sim.jar is missing: mvn -B package -DskipTests" >&2; exit 2; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/vfio-sim-bench.XXXXXX")
server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT INT TERM
results=$work/results

# field NAME LINE: the value of NAME=... in a summary line
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
now_ns() { date +%s%N; }
record() { echo "$label:$1 $2" >> "$results"; }   # build:goal-figure value

# start_server ARGS...: serve on $work/dev.sock with CPU pinning from $pin; waits for the socket
start_server() {
    rm -f "$work/dev.sock"
    t0=$(now_ns)
    $pin env JAVA="$java" "$build_root/bin/vfio-sim" serve --log-level=warn --socket-path="$work/dev.sock" "$@" \
        > "$work/server.log" 2>&1 &
    server=$!
    while [ ! -S "$work/dev.sock" ]; do
        kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
        sleep 0.002
    done
    started_ms=$(( ($(now_ns) - t0) / 1000000 ))
    # CPU the process had used by then (all its threads): what a loaded machine cannot inflate
    started_cpu_ms=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%d", ($14 + $15) * 1000 / hz}' "/proc/$server/stat")
}
stop_server() {
    kill "$server" && wait "$server" 2>/dev/null || true
    server=
}
pinned="taskset -c $cpu"

for r in $(seq 1 "$rounds"); do
    for g in $goals; do
      for b in $builds; do
        label=${b%%=*}
        build_root=$(cd "${b#*=}" && pwd)
        jar=$build_root/cli/target/vfio-sim.jar
        case $g in
        p1)
            pin=$pinned start_server
            v=$($pinned "$tools/vubench" "$work/dev.sock" -q --rtt 200000 --warmup 50000 --region 0 --offset 0 --size 4 | tail -1)
            stop_server
            c=$("$tools/sockceil" --client-cpu "$cpu" --server-cpu "$cpu" --mode echo --rtt 200000 | tail -1)
            echo "round $r $label p1 vfio-sim: $v"; echo "round $r $label p1 ceiling:  $c"
            record p1.vfio "$(field ops_per_s "$v")"; record p1.ceil "$(field ops_per_s "$c")"
            record p1.ratio "$(echo "$(field ops_per_s "$v") $(field ops_per_s "$c")" | awk '{printf "%.3f", $1/$2}')"
            if [ -x "$tools/msg-echo" ]; then   # the same round trip answered with recvmsg+sendmsg in C
                m=$("$tools/msg-echo" 200000 "$cpu" | grep mode=msg)
                echo "round $r $label p1 C recvmsg/sendmsg server: $m"
                record p1.vs_c_msg_server "$(echo "$(field ops_per_s "$v") $(field ops_per_s "$m")" | awk '{printf "%.3f", $1/$2}')"
                record p1.c_msg_server_vs_echo "$(echo "$(field ops_per_s "$m") $(field ops_per_s "$c")" | awk '{printf "%.3f", $1/$2}')"
            fi
            ;;
        p1warmup)
            pin=$pinned start_server
            cold=$($pinned "$tools/vubench" "$work/dev.sock" -q --rtt 100000 --warmup 0 --region 0 --offset 0 --size 4 | tail -1)
            warm=$($pinned "$tools/vubench" "$work/dev.sock" -q --rtt 200000 --warmup 50000 --region 0 --offset 0 --size 4 | tail -1)
            stop_server
            echo "round $r $label p1' first 100k: $cold"; echo "round $r $label p1' warm:       $warm"
            record p1warmup.ratio "$(echo "$(field ops_per_s "$cold") $(field ops_per_s "$warm")" | awk '{printf "%.3f", $1/$2}')"
            ;;
        p3)
            for mode in pinned unpinned; do
                if [ $mode = pinned ]; then pin=$pinned; cc="--client-cpu $cpu --server-cpu $cpu"; else pin=; cc=; fi
                pin=$pin start_server --state-size=256m
                for w in 1 2; do   # warm-up: the JIT compiles the page loops in the first runs
                    $pin "$tools/vubench" "$work/dev.sock" -q --migrate --chunk 1048576 --then-running > /dev/null
                done
                v=$($pin "$tools/vubench" "$work/dev.sock" -q --migrate --chunk 1048576 --then-running | tail -1)
                stop_server
                # shellcheck disable=SC2086 # cc is a list of options
                c=$("$tools/sockceil" --mode rr-read --chunk 1048576 --rr 2000 $cc | tail -1)
                echo "round $r $label p3 $mode vfio-sim: $v"; echo "round $r $label p3 $mode ceiling:  $c"
                record "p3.$mode.ratio" "$(echo "$(field stopcopy_MB_per_s "$v") $(field MB_per_s "$c")" | awk '{printf "%.3f", $1/$2}')"
                if [ $mode = pinned ] && [ -x "$tools/checksummed-stream" ]; then   # C: CRC per page + send from the mapping
                    k=$("$tools/checksummed-stream" 256 "$cpu" | grep 'mode=read crc=yes')
                    echo "round $r $label p3 pinned C checksummed server: $k"
                    record p3.pinned.vs_c_checksummed "$(echo "$(field stopcopy_MB_per_s "$v") $(field MB_per_s "$k")" | awk '{printf "%.3f", $1/$2}')"
                    record p3.pinned.c_checksummed_vs_ceiling "$(echo "$(field MB_per_s "$k") $(field MB_per_s "$c")" | awk '{printf "%.3f", $1/$2}')"
                fi
            done
            ;;
        p4)
            pin=$pinned start_server --state-size=256m
            $pinned "$tools/vubench" "$work/dev.sock" -q --migrate --chunk 1048576 --then-running --save "$work/state.bin" > /dev/null
            for w in 1 2; do   # warm-up
                $pinned "$tools/vubench" "$work/dev.sock" -q --resume "$work/state.bin" --chunk 1048576 > /dev/null
            done
            v=$($pinned "$tools/vubench" "$work/dev.sock" -q --resume "$work/state.bin" --chunk 1048576 | tail -1)
            stop_server
            c=$("$tools/sockceil" --mode rr-write --chunk 1048576 --rr 2000 --client-cpu "$cpu" --server-cpu "$cpu" | tail -1)
            echo "round $r $label p4 vfio-sim: $v"; echo "round $r $label p4 ceiling:  $c"
            record p4.ratio "$(echo "$(field data_MB_per_s "$v") $(field MB_per_s "$c")" | awk '{printf "%.3f", $1/$2}')"
            if [ -x "$tools/checksummed-stream" ]; then   # C: receive into the mapping + CRC per page
                k=$("$tools/checksummed-stream" 256 "$cpu" | grep 'mode=write crc=yes')
                echo "round $r $label p4 C checksummed server: $k"
                record p4.vs_c_checksummed "$(echo "$(field data_MB_per_s "$v") $(field MB_per_s "$k")" | awk '{printf "%.3f", $1/$2}')"
                record p4.c_checksummed_vs_ceiling "$(echo "$(field MB_per_s "$k") $(field MB_per_s "$c")" | awk '{printf "%.3f", $1/$2}')"
            fi
            ;;
        p6)
            if [ ! -x "$tools/eventfd-loop" ]; then
                echo "round $r $label p6: skipped, no $tools/eventfd-loop (build benchmarks/eventfd-loop.c)"; continue
            fi
            v=$($pinned "$java" ${JAVA_OPTS:-} -Dvfio-sim.log.level=warn -cp "$jar" dev.vfiosim.fixtures.bench.InterruptRateBenchmark 2000000 | tail -1)
            c=$($pinned "$tools/eventfd-loop" 2000000 | tail -1)
            echo "round $r $label p6 vfio-sim: $v"; echo "round $r $label p6 ceiling:  $c"
            record p6.ratio "$(echo "$(field per_s "$v") $(field per_s "$c")" | awk '{printf "%.3f", $1/$2}')"
            g6=$($pinned "$tools/eventfd-loop" 2000000 --guarded | tail -1)   # with the never-block check per write
            echo "round $r $label p6 guarded C loop: $g6"
            record p6.vs_guarded_loop "$(echo "$(field per_s "$v") $(field per_s "$g6")" | awk '{printf "%.3f", $1/$2}')"
            ;;
        p7)
            pin= start_server
            stop_server
            echo "round $r $label p7 start to listening: $started_ms ms wall, $started_cpu_ms ms CPU"
            record p7.ms "$started_ms"
            record p7.cpu_ms "$started_cpu_ms"
            ;;
        *) echo "outside.sh: unknown goal $g" >&2; exit 2 ;;
        esac
      done
    done
done

echo "== medians over $rounds rounds (goal: p1 >= 1.0, p1warmup >= 0.8, p3.pinned >= 0.5, p3.unpinned >= 0.9, p4 >= 0.5, p6 >= 0.8, p7 <= 350 ms)"
for k in $(cut -d' ' -f1 "$results" | sort -u); do
    grep "^$k " "$results" | cut -d' ' -f2 | sort -g | awk -v k="$k" '{a[NR]=$1} END {m = NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; printf "%-20s median %s  (all: ", k, m; for (i=1;i<=NR;i++) printf "%s%s", a[i], i<NR?" ":""; print ")"}'
done
