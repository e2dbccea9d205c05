#!/usr/bin/env bash
# test/valgrind.sh: forge's regression suite against backends under valgrind.
#
# Starts a throwaway PostgreSQL cluster (as test/cluster.sh does: the postgres
# OS user, a private socket directory and port, never the system's cluster)
# whose postmaster runs under valgrind memcheck, so every backend it forks is
# checked too.  Runs the pg_regress files of the Makefile's REGRESS and the
# isolation specs of its ISOLATION against it, stops the cluster, and reads
# every valgrind log: it prints each error whose own stack (not the stack of
# an allocation or of an uninitialised value's origin) has a frame of forge
# (a frame in forge.so, or a function of forge.so in one of src/*.c), with
# the test and the statement that ran at the time, then a summary line, and
# exits non-zero if there is any such error.  Errors purely inside PostgreSQL
# or libc (no forge frame) are printed and counted but do not fail the run;
# the known-benign ones are suppressed by test/valgrind.supp.
#
# Limits of this check.  Debian's PostgreSQL is not built with USE_VALGRIND,
# so palloc'd chunks are not individually tracked: a memory context is a few
# big malloc'd blocks, and reading or writing past the end of a palloc'd chunk
# but inside its block, a use after pfree, or a leak of palloc'd memory go
# unseen.  Valgrind still catches the use of uninitialised values (a branch
# on them, or passing them to a system call, e.g. into a WAL record or a
# NOTIFY payload), invalid reads and writes outside any malloc'd block (past
# a block's end, freed malloc memory, wild pointers, stack), and bad or
# mismatched frees of malloc'd memory.  PostgreSQL's own binary is stripped on
# Debian, so its static functions show as "???" in stacks (forge.so keeps its
# debug information, so forge's frames show function, file and line).
#
# Usage (as root, or as the postgres OS user; forge must already be built and
# installed: make && make install):
#   test/valgrind.sh
#   VALGRIND_TESTS="create update" VALGRIND_ISOLATION="" test/valgrind.sh
#   test/valgrind.sh --scan DIR    only read the logs of an earlier run again
# A full default run (11 regression files, 4 isolation specs) takes several
# minutes: create_many's 100,000-row call alone is slow under valgrind.
# Environment:
#   VALGRIND_TESTS       pg_regress tests to run (default: the Makefile's
#                        REGRESS); "" runs none.  A test without
#                        expected/NAME.out (or sql/NAME.sql) is skipped.
#   VALGRIND_ISOLATION   isolation specs to run (default: the Makefile's
#                        ISOLATION); "" runs none.  A spec without its
#                        expected file is skipped.
#   VALGRIND_PGPORT      port of the throwaway cluster (default 54371)
#   VALGRIND_OUTDIR      where logs and test output are kept after the run
#                        (default /tmp/forge-valgrind-$VALGRIND_PGPORT; it is
#                        emptied at the start).  The cluster itself, under
#                        it, is removed at the end.
#   VALGRIND_SUPP        suppression file (default test/valgrind.supp)
#   VALGRIND_OPTS        extra valgrind options (e.g. --gen-suppressions=all
#                        to print a suppression for each error)
#   VALGRIND_TIMEOUT     seconds allowed to each of the two suites (default 3600)
#   VALGRIND_START_TIMEOUT  seconds to wait for the server to accept
#                        connections (default 300)
#   VALGRIND_SHOW        how many distinct non-forge errors to print in full
#                        (default 10)
#   FORGE_PGCONF         extra postgresql.conf lines, as for test/cluster.sh
# Output (kept in VALGRIND_OUTDIR): vg/valgrind.PID.log (one per process),
# server.log (every statement, with pid and application name), regress/ and
# isolation/ (pg_regress output and diffs), report.txt (this run's report).
# Exit status: 0 if valgrind found no error involving forge (test diffs do not
# change it: timing under valgrind may differ), 1 if it did or a backend
# crashed, 2 if the cluster or the suites could not be run to their end.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD

PGVER=${FORGE_PGVER:-15}
BIN=$(pg_config --bindir 2>/dev/null || echo "/usr/lib/postgresql/$PGVER/bin")
[ -x "$BIN/initdb" ] || BIN=/usr/lib/postgresql/$PGVER/bin
PKGLIBDIR=$(pg_config --pkglibdir 2>/dev/null || echo "/usr/lib/postgresql/$PGVER/lib")
SHAREDIR=$(pg_config --sharedir 2>/dev/null || echo "/usr/share/postgresql/$PGVER")
PGXS_MK=$(pg_config --pgxs 2>/dev/null || echo "$PKGLIBDIR/pgxs/src/makefiles/pgxs.mk")
PGXS_TOP=$(cd "$(dirname "$PGXS_MK")/../.." && pwd)
PG_REGRESS=$PGXS_TOP/src/test/regress/pg_regress
PG_ISOLATION_REGRESS=$PGXS_TOP/src/test/isolation/pg_isolation_regress

PORT=${VALGRIND_PGPORT:-54371}
OUT=${VALGRIND_OUTDIR:-/tmp/forge-valgrind-$PORT}
CLUSTER=$OUT/cluster
DATA=$CLUSTER/data
SOCK=$CLUSTER/sock
SUPP=${VALGRIND_SUPP:-$ROOT/test/valgrind.supp}
SUITE_TIMEOUT=${VALGRIND_TIMEOUT:-3600}
START_TIMEOUT=${VALGRIND_START_TIMEOUT:-300}
AS="runuser -u postgres --"
[ "$(id -u)" = 0 ] || AS=""

die() { echo "valgrind.sh: $*" >&2; exit 2; }

# --- prerequisites ----------------------------------------------------------
if ! command -v valgrind >/dev/null; then
  [ "$(id -u)" = 0 ] || die "valgrind is not installed"
  echo "valgrind.sh: installing valgrind" >&2
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; } || die "could not install valgrind"
fi
command -v perl >/dev/null || die "perl is needed to read the valgrind logs"
[ -x "$PG_REGRESS" ] || die "$PG_REGRESS not found (postgresql-server-dev-$PGVER)"
[ -f "$PKGLIBDIR/forge.so" ] || die "forge is not installed in $PKGLIBDIR: run make && make install first"
[ -f "$SUPP" ] || die "$SUPP not found"
if [ -f "$ROOT/forge.so" ] && ! cmp -s "$ROOT/forge.so" "$PKGLIBDIR/forge.so"; then
  echo "valgrind.sh: note: the installed forge.so differs from ./forge.so; testing the installed one" >&2
fi

# --- reading the valgrind logs ---------------------------------------------
# scan_logs DIR: report the errors of DIR/vg/*.log, naming the test (from
# DIR/server.log) and the statement that ran at the time; status 1 if an
# error has a forge frame.  The report is also kept in DIR/report.txt.
scan_logs() {
  local dir=$1 forge_funcs forge_files
  forge_funcs=$(nm --defined-only "$PKGLIBDIR/forge.so" 2>/dev/null | awk '$2 ~ /^[tTwW]$/ {print $3}' | tr '\n' ' ')
  forge_files=$(cd "$ROOT/src" && ls -- *.c *.h 2>/dev/null | tr '\n' ' ')
  FORGE_FUNCS=$forge_funcs FORGE_FILES=$forge_files SHOW=${VALGRIND_SHOW:-10} VG_START=$(cat "$dir/vg_start" 2>/dev/null || echo 0) \
perl -w - "$dir" <<'PERL' | tee "$dir/report.txt"
use strict;
use Time::Local qw(timegm);

my $out = shift;
my %ffunc = map { $_ => 1 } split ' ', ($ENV{FORGE_FUNCS} // '');
my %ffile = map { $_ => 1 } split ' ', ($ENV{FORGE_FILES} // '');
my $show = $ENV{SHOW};
my $vgstart = $ENV{VG_START};

# The server log: per pid, its backend type, application name, the wall time
# of its disconnection, and its statements with their times.
my (%btype, %app, %gone, %stmts);
if (open my $fh, '<', "$out/server.log") {
	my $cur;
	while (my $l = <$fh>) {
		chomp $l;
		if ($l =~ /^(\d+)-(\d+)-(\d+) (\d+):(\d+):(\d+)\.(\d+) \w+ \[(\d+)\] <([^>]*)> \[(.*?)\] ([A-Z]+):\s+(.*)$/) {
			my $t = timegm($6, $5, $4, $3, $2 - 1, $1) + $7 / 1000;
			my ($pid, $bt, $ap, $lvl, $msg) = ($8, $9, $10, $11, $12);
			$btype{$pid} = $bt if $bt ne '' && $bt ne 'not initialized';
			$app{$pid} = $ap if $ap ne '' && $ap ne '[unknown]';
			$cur = undef;
			if ($lvl eq 'LOG' && $msg =~ /^statement: (.*)/) {
				push @{ $stmts{$pid} }, [$t, $1];
				$cur = $stmts{$pid}[-1];
			} elsif ($lvl eq 'LOG' && $msg =~ /^disconnection:/) {
				$gone{$pid} = $t;
			}
		} elsif (defined $cur && $l !~ /^\d{4}-\d\d-\d\d /) {
			$cur->[1] .= "\n" . $l;
		} else {
			$cur = undef;
		}
	}
}

# valgrind's --time-stamp is the time since the postmaster started under
# valgrind (forked children keep that clock).
sub ts { my ($d, $h, $m, $s) = split /:/, $_[0]; return (($d * 24 + $h) * 60 + $m) * 60 + $s; }

my ($procs, $backends, $incomplete, $errs, $ctxs, $supp, $dirty) = (0) x 7;
my (@errors, %exit_t);
for my $file (sort glob("$out/vg/valgrind.*.log")) {
	my ($pid) = $file =~ /valgrind\.(\d+)\.log$/ or next;
	open my $fh, '<', $file or next;
	my ($in, @blk, $tblk, $summary);
	while (my $l = <$fh>) {
		chomp $l;
		$l =~ s/^==(?:(\d+:\d\d:\d\d:\d\d\.\d+) )?\d+== ?// or next;
		my $t = defined $1 ? ts($1) : undef;
		if ($l =~ /^VALGRINDERROR-BEGIN/) { $in = 1; @blk = (); $tblk = $t; next; }
		if ($l =~ /^VALGRINDERROR-END/) {
			$in = 0;
			pop @blk while @blk && $blk[-1] eq '';
			push @errors, [$pid, $tblk, [@blk]];
			next;
		}
		if ($in) { push @blk, $l; next; }
		if ($l =~ /ERROR SUMMARY: (\d+) errors? from (\d+) contexts? \(suppressed: (\d+)/) {
			$summary = 1; $errs += $1; $ctxs += $2; $supp += $3; $dirty++ if $1 > 0;
			$exit_t{$pid} = $t;
		}
	}
	$procs++;
	$backends++ if ($btype{$pid} // '') eq 'client backend';
	$incomplete++ unless $summary;
}

# Align the two clocks: a backend logs its disconnection just before it exits
# and valgrind writes its ERROR SUMMARY; else use the time of the start.
my @off = sort { $a <=> $b } map { $gone{$_} - $exit_t{$_} } grep { defined $exit_t{$_} } keys %gone;
my $offset = @off ? $off[$#off / 2] : $vgstart;

my (%group, @order);
for my $e (@errors) {
	my ($pid, $t, $blk) = @$e;
	# the stack of the error itself: its first run of frames (the frames of
	# "Address ... alloc'd" and "Uninitialised value was created by" come
	# after it; without USE_VALGRIND they name whoever first claimed the
	# malloc'd block or the stack area, so they do not count)
	my @frames;
	for (@$blk) {
		if (/^\s+(at|by) 0x/) { push @frames, $_; }
		elsif (@frames) { last; }
	}
	my $is_forge = sub {
		$_[0] =~ /forge\.so\)/ ||
		($_[0] =~ /^\s+(?:at|by) 0x[0-9A-Fa-f]+: (\w+) \(([^():]+):\d+\)/ && $ffile{(split m{/}, $2)[-1]} && (!%ffunc || $ffunc{$1}));
	};
	my ($forge) = grep { $is_forge->($_) } @frames;
	my $origin_forge = !$forge && grep { $is_forge->($_) } @$blk;
	# the statement that was running when the error was reported
	my $stmt;
	if (defined $t && $stmts{$pid}) {
		my $wall = $t + (defined $exit_t{$pid} && $gone{$pid} ? $gone{$pid} - $exit_t{$pid} : $offset);
		for my $s (@{ $stmts{$pid} }) { $stmt = $s->[1] if $s->[0] <= $wall + 0.002; }
	}
	# one group per kind of error and stack (addresses left out)
	my $key = join "\n", ($blk->[0] // ''), map { (my $f = $_) =~ s/0x[0-9A-Fa-f]+//; $f } @frames;
	my $g = $group{$key} //= do { push @order, $key; { blk => $blk, forge => $forge, origin => $origin_forge, n => 0, where => {} } };
	$g->{n}++;
	$g->{origin} ||= $origin_forge;
	my $who = $app{$pid} // ($btype{$pid} // 'process') . " $pid";
	push @{ $g->{where}{$who} }, [$pid, $stmt];
}

my @forge = grep { $group{$_}{forge} } @order;
my @other = grep { !$group{$_}{forge} } @order;
sub show {
	my ($g) = @_;
	print "  $_\n" for @{ $g->{blk} };
	(my $top = $g->{forge} // '') =~ s/^\s+(?:at|by) 0x[0-9A-Fa-f]+: //;
	print "  -- first forge frame: $top\n" if $top ne '';
	print "  -- (a forge frame appears only in the allocation/origin stack)\n" if $g->{origin};
	for my $who (sort keys %{ $g->{where} }) {
		my @w = @{ $g->{where}{$who} };
		my %seen;
		for (@w) {
			my ($pid, $stmt) = @$_;
			next if $seen{ $pid . ($stmt // '') }++;
			print "  -- in $who (pid $pid, vg/valgrind.$pid.log)\n";
			if (defined $stmt) {
				$stmt = substr($stmt, 0, 800) . ' ...' if length $stmt > 800;
				$stmt =~ s/\n/\n     /g;
				print "     statement: $stmt\n";
			}
		}
	}
	print "\n";
}
if (@forge) {
	print "=== valgrind errors in forge (", scalar @forge, " distinct):\n\n";
	show($group{$_}) for @forge;
}
if (@other) {
	print "=== valgrind errors outside forge (", scalar @other, " distinct; not a failure):\n\n";
	my $i = 0;
	for (@other) { last if ++$i > $show; show($group{$_}); }
	print "  ... and ", @other - $show, " more (see vg/)\n\n" if @other > $show;
}
my $nforge = 0; $nforge += $group{$_}{n} for @forge;
my $nother = 0; $nother += $group{$_}{n} for @other;
print "valgrind: $procs processes checked ($backends client backends); ",
	"$errs errors ($ctxs contexts) in $dirty processes, $supp suppressed; ",
	"in forge: $nforge contexts (", scalar @forge, " distinct); ",
	"outside forge: $nother contexts (", scalar @other, " distinct)\n";
print "valgrind: $incomplete processes ended without an ERROR SUMMARY (killed?)\n" if $incomplete;
exit(@forge ? 1 : 0);
PERL
  return "${PIPESTATUS[0]}"
}

if [ "${1:-}" = --scan ]; then
  [ -d "${2:-}/vg" ] || die "usage: $0 --scan DIR, DIR being the VALGRIND_OUTDIR of an earlier run"
  scan_logs "$2"
  exit $?
fi

# --- the tests ---------------------------------------------------------------
# A variable of the Makefile (continuation lines joined), without running make.
makevar() {
  sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta' "$ROOT/Makefile" |
    sed -n "s/^$1[[:space:]]*[:+]\{0,1\}=[[:space:]]*//p" | tr -s ' \t' ' '
}

REGRESS_ALL=$(makevar REGRESS)
ISOLATION_ALL=$(makevar ISOLATION)
ISOLATION_OPTS=$(makevar ISOLATION_OPTS)
# shellcheck disable=SC2086
ISO_INPUTDIR=$(printf '%s\n' $ISOLATION_OPTS | sed -n 's/^--inputdir=//p' | tail -1)
ISO_INPUTDIR=${ISO_INPUTDIR:-.}

has_expected() {  # DIR NAME: an expected output pg_regress would use
  compgen -G "$1/expected/$2.out" >/dev/null || compgen -G "$1/expected/$2_[0-9].out" >/dev/null
}

regress_tests=()
skipped=()
for t in ${VALGRIND_TESTS-$REGRESS_ALL}; do
  if [ -f "$ROOT/sql/$t.sql" ] && has_expected "$ROOT" "$t"; then
    regress_tests+=("$t")
  else
    skipped+=("$t")
  fi
done
iso_tests=()
for t in ${VALGRIND_ISOLATION-$ISOLATION_ALL}; do
  if [ -f "$ROOT/$ISO_INPUTDIR/specs/$t.spec" ] && has_expected "$ROOT/$ISO_INPUTDIR" "$t"; then
    iso_tests+=("$t")
  else
    skipped+=("isolation/$t")
  fi
done
[ ${#skipped[@]} -gt 0 ] && echo "skipped (no sql/spec or expected file): ${skipped[*]}"
[ $((${#regress_tests[@]} + ${#iso_tests[@]})) -gt 0 ] || die "no test to run"

# --- the cluster --------------------------------------------------------------
VGPID=
stop_cluster() {
  if [ -f "$DATA/postmaster.pid" ]; then
    $AS "$BIN/pg_ctl" -D "$DATA" -m fast -w -t 300 stop >/dev/null 2>&1 ||
      $AS "$BIN/pg_ctl" -D "$DATA" -m immediate -w -t 60 stop >/dev/null 2>&1 || true
  fi
  if [ -n "$VGPID" ]; then
    for _ in $(seq 1 120); do kill -0 "$VGPID" 2>/dev/null || break; sleep 1; done
    kill "$VGPID" 2>/dev/null || true
    wait "$VGPID" 2>/dev/null || true
    VGPID=
  fi
}
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  stop_cluster
  rm -rf "$CLUSTER"
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

start_time=$(date +%s)
stop_cluster   # a cluster left by an interrupted run
rm -rf "$OUT"
mkdir -p "$OUT/vg" "$OUT/regress" "$OUT/isolation" "$CLUSTER" || die "cannot create $OUT"
[ -n "$AS" ] && chown postgres:postgres "$OUT" "$OUT/vg" "$CLUSTER"
$AS "$BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$OUT/initdb.log" 2>&1 ||
  { cat "$OUT/initdb.log" >&2; die "initdb failed"; }
$AS mkdir -p "$SOCK"
cat >>"$DATA/postgresql.conf" <<CONF
listen_addresses = ''
port = $PORT
unix_socket_directories = '$SOCK'
fsync = off
full_page_writes = off
max_connections = 30
# under valgrind: no JIT (LLVM), no autovacuum (noise, CPU), no huge pages
jit = off
autovacuum = off
huge_pages = off
# every statement, with its backend's pid and application name
# (pg_regress/TEST, or the isolation spec's session), to name the statement
# that triggers an error
log_timezone = 'UTC'
log_line_prefix = '%m [%p] <%b> [%a] '
log_statement = all
log_connections = on
log_disconnections = on
log_min_messages = warning
CONF
if [ -n "${FORGE_PGCONF:-}" ]; then printf '%s\n' "$FORGE_PGCONF" >>"$DATA/postgresql.conf"; fi

date +%s.%N >"$OUT/vg_start"
forge_sum=$(cat "$PKGLIBDIR/forge.so" "$SHAREDIR/extension/forge"*.sql 2>/dev/null | md5sum)
# shellcheck disable=SC2086
$AS valgrind --trace-children=yes --leak-check=no --track-origins=yes \
  --read-var-info=no --error-limit=no --num-callers=40 --time-stamp=yes \
  --error-markers=VALGRINDERROR-BEGIN,VALGRINDERROR-END \
  --suppressions="$SUPP" --log-file="$OUT/vg/valgrind.%p.log" ${VALGRIND_OPTS:-} \
  "$BIN/postgres" -D "$DATA" >"$OUT/server.log" 2>&1 </dev/null &
VGPID=$!

echo "valgrind cluster on port $PORT ($OUT), waiting for it to accept connections ..."
ready=
for _ in $(seq 1 "$START_TIMEOUT"); do
  if "$BIN/pg_isready" -q -h "$SOCK" -p "$PORT" -U postgres; then ready=1; break; fi
  kill -0 "$VGPID" 2>/dev/null || break
  sleep 1
done
[ -n "$ready" ] || { cat "$OUT/server.log" >&2; die "the server under valgrind did not start"; }
echo "server ready after $(($(date +%s) - start_time)) s"

export PGHOST=$SOCK PGPORT=$PORT PGUSER=postgres
unset PGDATABASE PGSERVICE PGOPTIONS
# isolationtester gives up on a step after 2 x PGISOLATIONTIMEOUT seconds
export PGISOLATIONTIMEOUT=${PGISOLATIONTIMEOUT:-900}

suite_failed=0
suite_broken=0
run_suite() {  # NAME LOGFILE COMMAND...
  local name=$1 log=$2 t0 rc
  shift 2
  t0=$(date +%s)
  timeout "$SUITE_TIMEOUT" "$@" >"$log" 2>&1
  rc=$?
  grep -E '^(test |     |permutation )?[a-z_0-9]+ +\.\.\. |^(not )?ok [0-9]+ ' "$log" | sed 's/^/  /'
  grep -E 'FAILED|^not ok' "$log" >/dev/null && suite_failed=1
  if [ $rc -eq 124 ]; then
    echo "  $name: timed out after $SUITE_TIMEOUT s"; suite_broken=1
  elif [ $rc -ne 0 ] && ! grep -qE 'FAILED|^not ok' "$log"; then
    echo "  $name: pg_regress failed (exit $rc):"; tail -20 "$log" | sed 's/^/    /'; suite_broken=1
  fi
  echo "  $name: $(($(date +%s) - t0)) s"
}

if [ ${#regress_tests[@]} -gt 0 ]; then
  echo "pg_regress: ${regress_tests[*]}"
  run_suite regress "$OUT/regress/pg_regress.log" \
    "$PG_REGRESS" --inputdir=. --outputdir="$OUT/regress" --bindir="$BIN" \
    --load-extension=forge --dbname=contrib_regression "${regress_tests[@]}"
fi
if [ ${#iso_tests[@]} -gt 0 ]; then
  echo "isolation: ${iso_tests[*]}"
  # shellcheck disable=SC2086
  run_suite isolation "$OUT/isolation/pg_isolation_regress.log" \
    "$PG_ISOLATION_REGRESS" $ISOLATION_OPTS --outputdir="$OUT/isolation" --bindir="$BIN" \
    --dbname=isolation_regression "${iso_tests[@]}"
fi
for d in "$OUT/regress/regression.diffs" "$OUT/isolation/regression.diffs"; do
  [ -s "$d" ] && echo "test diffs: $d"
done

# Every process writes its ERROR SUMMARY when it exits: stop the cluster first.
stop_cluster
if [ "$(cat "$PKGLIBDIR/forge.so" "$SHAREDIR/extension/forge"*.sql 2>/dev/null | md5sum)" != "$forge_sum" ]; then
  echo "warning: forge was reinstalled during the run: test diffs may come from that, and the frames are read against the new forge.so"
fi
crashed=$(grep -cE 'terminated by signal|was terminated by exception' "$OUT/server.log" || true)

scan_logs "$OUT"
vg_rc=$?

echo "server log: $crashed backend crash(es)"
[ $suite_failed -eq 1 ] && echo "tests: some tests FAILED under valgrind (see the diffs above; not a valgrind error)"
echo "logs in $OUT; total time $(($(date +%s) - start_time)) s"
if [ "$vg_rc" -ne 0 ]; then
  echo "RESULT: valgrind found errors in forge"; exit 1
fi
if [ "$crashed" -gt 0 ]; then
  grep -E 'terminated by signal|was terminated by exception' "$OUT/server.log"
  echo "RESULT: no valgrind error in forge, but a backend crashed"; exit 1
fi
if [ $suite_broken -eq 1 ]; then
  echo "RESULT: no valgrind error in forge, but a suite did not run to its end"; exit 2
fi
echo "RESULT: no valgrind error in forge"
exit 0
