#!/usr/bin/env bash
# What the benchmark scripts share (bench/run, bench/transfers, bench/import, bench/payroll):
# sourced by them, after their `set -euo pipefail`, never run. It defines the settings every bench
# reads from the environment (BENCH_DURATION, BENCH_POOL_SIZE) and the steps they all take:
# install what is missing, build Release into build-bench/, start a throwaway PostgreSQL and
# PayrollX on free ports, sign up, run wrk and keep its figures, print them, and remove everything
# on exit.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  echo "bench/lib.sh is sourced by the bench scripts (bench/run, bench/transfers, bench/import," \
    "bench/payroll)" >&2
  exit 2
fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
readonly root
readonly build=$root/build-bench
readonly pgbin=/usr/lib/postgresql/15/bin
readonly duration=${BENCH_DURATION:-10s}
readonly pool_size=${BENCH_POOL_SIZE:-8}
readonly threads=2 # io threads of every server: the baselines have k_threads = 2

say() { echo "bench: $*" >&2; }
die() {
  echo "bench: $*" >&2
  exit 1
}

# apt_install WHAT PACKAGE...: installs Debian packages, as root or through sudo.
apt_install() {
  local what=$1
  shift
  say "installing $what"
  local -a as_root=()
  ((EUID == 0)) || as_root=(sudo)
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive sh -c \
    'apt-get -q -y update && apt-get -q -y install --no-install-recommends "$@"' sh "$@" \
    </dev/null >&2
}

install_wrk() {
  command -v wrk >/dev/null && return
  apt_install wrk wrk
}

# pgbench comes with the server package (postgresql-15); contrib for good measure.
install_pgbench() {
  [[ -x $pgbin/pgbench ]] && return
  apt_install pgbench postgresql-15 postgresql-contrib
  [[ -x $pgbin/pgbench ]] || die "no $pgbin/pgbench after installing postgresql-15"
}

# build_bench TARGET...: the project's packages, then a Release build of the targets into
# build-bench/ (the baselines of bench/CMakeLists.txt are targets too).
build_bench() {
  "$root/scripts/install-deps"
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DPAYROLLX_TESTS=OFF \
    -DPAYROLLX_BENCH=ON >/dev/null
  cmake --build "$build" -j"$(nproc)" --target "$@" >&2
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local port=$((20000 + RANDOM % 12000))
  while port_in_use "$port"; do port=$((20000 + RANDOM % 12000)); done
  echo "$port"
}

declare -A pid_of
cleanup() {
  local status=$? name
  for name in "${!pid_of[@]}"; do kill "${pid_of[$name]}" 2>/dev/null || true; done
  for name in "${!pid_of[@]}"; do wait "${pid_of[$name]}" 2>/dev/null || true; done
  if [[ -n ${tmp:-} ]]; then
    "$root/scripts/test-postgres" stop "$tmp/postgres" >/dev/null 2>&1 || true
    rm -rf -- "$tmp"
  fi
  exit "$status"
}

# make_tmp: the run's folder ($tmp), removed on exit with everything started in it.
make_tmp() {
  tmp=$(mktemp -d)
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM HUP
}

# start NAME URL COMMAND...: runs the server in the background (its output in $tmp/NAME.log)
# and waits until URL answers.
start() {
  local name=$1 url=$2
  shift 2
  "$@" >"$tmp/$name.log" 2>&1 &
  pid_of[$name]=$!
  local attempt
  for attempt in $(seq 300); do
    curl -fs -o /dev/null "$url" && return
    kill -0 "${pid_of[$name]}" 2>/dev/null || break
    sleep 0.1
  done
  tail -n 20 "$tmp/$name.log" >&2
  die "$name did not start (attempt $attempt)"
}

# start_postgres: a throwaway cluster in $tmp/postgres with a fresh database payrollx_bench made
# from this build's migrated template; sets admin_url (superuser, database postgres) and db_url.
start_postgres() {
  "$root/scripts/test-postgres" start "$tmp/postgres" "$build/payrollx" >&2
  admin_url=$(cat "$tmp/postgres/url")
  db_url=$(sed -E 's#^(postgres(ql)?://[^/?]*)(/[^?]*)?#\1/payrollx_bench#' <<<"$admin_url")
  psql -X -q -v ON_ERROR_STOP=1 -d "$admin_url" \
    -c "CREATE DATABASE payrollx_bench TEMPLATE payrollx_template"
}

# More settings of the server (NAME=value words) for a script to add before start_payrollx; they
# come last, so they may also replace those start_payrollx sets.
payrollx_env=()

# start_payrollx: the server of build-bench/ on a free port ($app is its base URL) against
# payrollx_bench, with $threads io threads and a pool of $pool_size (and $payrollx_env).
start_payrollx() {
  app=http://127.0.0.1:$(free_port)
  # The request log goes to a file, as it would go to journald: its cost is part of the figures.
  start payrollx "$app/health/ready" env PAYROLLX_DATABASE_URL="$db_url" \
    PAYROLLX_LISTEN="${app#http://}" PAYROLLX_THREADS="$threads" \
    PAYROLLX_DB_POOL_SIZE="$pool_size" \
    PAYROLLX_JWT_SECRET="$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" "${payrollx_env[@]}" \
    "$build/payrollx" serve
}

readonly bench_email=bench@example.com
readonly bench_password="correct horse battery staple"

# signup: the organisation's first user (ORG_ADMIN); sets token (an access token) and user_id.
signup() {
  local answer
  answer=$(curl -fsS -X POST "$app/api/v1/auth/signup" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$bench_email\",\"password\":\"$bench_password\",\"firstName\":\"Ben\",\"lastName\":\"Mark\",\"organizationName\":\"Bench Ltd\"}")
  token=$(grep -o '"accessToken":"[^"]*"' <<<"$answer" | cut -d'"' -f4)
  [[ -n $token ]] || die "sign-up gave no access token: $answer"
  # shellcheck disable=SC2034 # for the scripts
  user_id=$(psql -X -A -t -v ON_ERROR_STOP=1 -d "$db_url" -c "SELECT id FROM auth.users")
}

# login: a fresh access token for the signed-up user (they live 15 minutes).
login() {
  local answer
  answer=$(curl -fsS -X POST "$app/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$bench_email\",\"password\":\"$bench_password\"}")
  token=$(grep -o '"accessToken":"[^"]*"' <<<"$answer" | cut -d'"' -f4)
  [[ -n $token ]] || die "login gave no access token: $answer"
}

# record NAME CONNECTIONS REQ/S P50_MS P99_MS FAILED: keeps one measurement's figures for the
# tables and says them.
declare -A rps p50 p99 failed
record() {
  local key=$1,$2
  rps[$key]=$3 p50[$key]=$4 p99[$key]=$5 failed[$key]=$6
  say "$(printf '%-15s c=%-4s %8s req/s  p50 %6s ms  p99 %7s ms  failed %s' "$1" "$2" \
    "${rps[$key]}" "${p50[$key]}" "${p99[$key]}" "${failed[$key]}")"
}

# measure NAME CONNECTIONS URL [HEADER [WRK_ARG...]]: one wrk run (extra arguments such as
# `-s script.lua -- args` follow the URL); records req/s, p50 and p99 (ms) and the failed
# requests (non-2xx answers and socket errors), which must be zero for figures to count.
measure() {
  local name=$1 conns=$2 url=$3 header=${4:-}
  shift $(($# < 4 ? $# : 4))
  local -a args=(-t"$threads" -c"$conns" -d"$duration" --latency)
  [[ -z $header ]] || args+=(-H "$header")
  local out figures
  out=$(wrk "${args[@]}" "$url" "$@")
  figures=$(awk '
    function ms(v) {
      if (v ~ /us$/) return v / 1000
      if (v ~ /ms$/) return v + 0
      if (v ~ /s$/) return v * 1000
      return v * 60000
    }
    /^Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { failed += $NF }
    /Socket errors:/ { gsub(/,/, ""); failed += $4 + $6 + $8 + $10 }
    END { printf "%.0f %.2f %.2f %d\n", rps, p50, p99, failed }' <<<"$out")
  local -a figure
  read -ra figure <<<"$figures"
  record "$name" "$conns" "${figure[@]}"
}

# print_table NAME...: the figures of these targets at every count of $connections.
print_table() {
  printf '%-15s %6s %10s %9s %9s %7s\n' target conns req/s p50_ms p99_ms failed
  local conns name key
  # shellcheck disable=SC2154 # each script sets its connection counts
  for conns in "${connections[@]}"; do
    for name in "$@"; do
      key=$name,$conns
      printf '%-15s %6s %10s %9s %9s %7s\n' "$name" "$conns" "${rps[$key]}" "${p50[$key]}" \
        "${p99[$key]}" "${failed[$key]}"
    done
  done
}

# print_ratios "OURS REFERENCE"...: req/s and p99 of OURS over REFERENCE's at every count.
print_ratios() {
  printf '%-30s %6s %8s %8s\n' pair conns req/s p99
  local conns pair ours reference
  for conns in "${connections[@]}"; do
    for pair in "$@"; do
      read -r ours reference <<<"$pair"
      awk -v pair="$ours vs $reference" -v c="$conns" -v r1="${rps[$ours,$conns]}" \
        -v r0="${rps[$reference,$conns]}" -v p1="${p99[$ours,$conns]}" \
        -v p0="${p99[$reference,$conns]}" \
        'BEGIN { printf "%-30s %6s %8.2f %8.2f\n", pair, c, (r0 ? r1 / r0 : 0), (p0 ? p1 / p0 : 0) }'
    done
  done
}

rss_mib() { ps -o rss= -p "$1" | awk '{ printf "%.1f", $1 / 1024 }'; }

# kib_of PID FIELD: a field of /proc/PID/status in KiB (VmRSS, VmHWM), 0 when it is gone.
kib_of() {
  local value
  value=$(awk -v field="$2:" '$1 == field { print $2 }' "/proc/$1/status" 2>/dev/null) || true
  echo "${value:-0}"
}
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# api METHOD PATH [BODY [IDEMPOTENCY_KEY]]: one call as the signed-up user; the answer on stdout.
api() {
  local -a args=(-sS --fail-with-body -X "$1" "$app$2" -H "Authorization: Bearer $token")
  (($# < 3)) || args+=(-H 'Content-Type: application/json' -d "$3")
  (($# < 4)) || args+=(-H "Idempotency-Key: $4")
  curl "${args[@]}" || die "$1 $2 failed"
}

# setup_wallets EMPLOYEES SHARE: the employees (their wallet ids in $tmp/wallets, one a line),
# the deposit into the treasury and a share of it to each employee; sets treasury and currency.
setup_wallets() {
  local wallet_count=$1 wallet_share=$2
  say "creating $wallet_count employees and funding their wallets through the API"
  # Before the employees' wallets: the list is newest first, the treasury is on its first page.
  local organization_wallet
  organization_wallet=$(api GET /api/v1/wallets |
    grep -o '"id":"[^"]*","ownerType":"ORGANIZATION","ownerId":"[^"]*","currency":"[^"]*"' || true)
  treasury=$(cut -d'"' -f4 <<<"$organization_wallet")
  currency=$(cut -d'"' -f16 <<<"$organization_wallet")
  [[ -n $treasury && -n $currency ]] || die "no ORGANIZATION wallet in GET /api/v1/wallets"
  local i answer wallet
  : >"$tmp/wallets"
  for ((i = 1; i <= wallet_count; i++)); do
    answer=$(api POST /api/v1/employees "{\"firstName\":\"Emma\",\"lastName\":\"Bench\",\"email\":\"emma.bench.$i@example.com\",\"hireDate\":\"2026-01-05\",\"salary\":{\"amount\":6000000,\"currency\":\"USD\",\"period\":\"ANNUAL\"}}")
    wallet=$(grep -o '"walletId":"[^"]*"' <<<"$answer" | cut -d'"' -f4)
    [[ -n $wallet ]] || die "employee $i has no walletId: $answer"
    echo "$wallet" >>"$tmp/wallets"
  done
  api POST "/api/v1/wallets/$treasury/deposits" \
    "{\"amount\":$((wallet_count * wallet_share)),\"reference\":\"bench\"}" bench-deposit >/dev/null
  while read -r wallet; do
    api POST /api/v1/transfers "{\"fromWalletId\":\"$treasury\",\"toWalletId\":\"$wallet\",\"amount\":$wallet_share,\"type\":\"TRANSFER\"}" \
      "bench-share-$wallet" >/dev/null
  done <"$tmp/wallets"
}
