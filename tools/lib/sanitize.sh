# The sanitizer runs of tools/test: `--sanitize=address` (AddressSanitizer with
# LeakSanitizer) or `--sanitize=thread` (ThreadSanitizer). Sourced, not run; expects
# setup.sh to have been sourced first (SIGIL_ROOT, sigil_log).
#
#   sigil_sanitizer_configure KIND  check KIND and set SIGIL_SANITIZER, SIGIL_SCRATCH_PATH
#   sigil_sanitizer_environment     empty the log folder and export the runtime options, for
#                                   the test run and every child it starts
#   sigil_sanitizer_report          print what the sanitizers logged; fails when they logged anything
#
# Each sanitizer builds into its own scratch path (.build-asan, .build-tsan), so the plain
# .build is never rebuilt with other flags. The tests find `sigil` and `sigil-keyholder`
# next to the test bundle, so the processes they start are the sanitized builds too.
#
# Every process writes its reports to SIGIL_SANITIZER_LOGS/<kind>.<pid> rather than to
# standard error: a child's standard error is read by the test that started it and would
# otherwise be lost, and a report in a child whose exit status the test ignores (a key
# holder stopped with SIGKILL after the test, for example) would not fail the run.

# The scratch path of the run; the default build's when no sanitizer was asked for.
SIGIL_SCRATCH_PATH=".build"
SIGIL_SANITIZER=""

sigil_sanitizer_configure() {
    case "$1" in
        address) SIGIL_SCRATCH_PATH=".build-asan" ;;
        thread) SIGIL_SCRATCH_PATH=".build-tsan" ;;
        *)
            echo "tools/test: --sanitize takes address or thread, not '$1'" >&2
            exit 2
            ;;
    esac
    SIGIL_SANITIZER="$1"
    SIGIL_SANITIZER_LOGS="$SIGIL_ROOT/$SIGIL_SCRATCH_PATH/sanitizer-logs"
}

sigil_sanitizer_environment() {
    local tools="$SIGIL_ROOT/tools"
    rm -rf "$SIGIL_SANITIZER_LOGS"
    mkdir -p "$SIGIL_SANITIZER_LOGS"
    # SIGIL_SANITIZER tells the tests which sanitizer they run under (tests that measure the
    # memory of a process allow for the sanitizer's own).
    export SIGIL_SANITIZER SIGIL_SANITIZER_LOGS
    # Swift's crash backtracer is off: on a fatal signal it starts a helper thread with
    # clone(), which ThreadSanitizer intercepts as a fork and then fails its own CHECK
    # (tsan_rtl.cpp:261 "!thr->slot"), so the crash that started it went unreported. With
    # it off, the sanitizer's handlers report a crash or a trap with its stack, in the log.
    export SWIFT_BACKTRACE=enable=no
    case "$SIGIL_SANITIZER" in
        address)
            # halt_on_error: the first memory error ends the process (ASan's default, stated).
            # detect_leaks: LeakSanitizer at exit, with the reviewed suppressions.
            export ASAN_OPTIONS="log_path=$SIGIL_SANITIZER_LOGS/asan:halt_on_error=1:handle_sigill=1:handle_abort=1:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:suppressions=$tools/asan-suppressions.txt"
            export LSAN_OPTIONS="suppressions=$tools/lsan-suppressions.txt:print_suppressions=1"
            ;;
        thread)
            # halt_on_error=0: report every race and keep going, so one run shows them all;
            # the process still exits non-zero (66) when it reported any.
            export TSAN_OPTIONS="log_path=$SIGIL_SANITIZER_LOGS/tsan:halt_on_error=0:handle_sigill=1:handle_abort=1:second_deadlock_stack=1:suppressions=$tools/tsan-suppressions.txt:print_suppressions=1"
            ;;
    esac
}

# Prints every report the sanitized processes wrote and fails when there is one (a
# sanitizer's own CHECK failure counts: the process it happened in did not run). The
# suppression statistics LSan and TSan print (print_suppressions=1) are shown too, but
# a log that holds nothing else does not fail the run.
sigil_sanitizer_report() {
    [ -n "$SIGIL_SANITIZER" ] || return 0
    local log found=0 suppressed=0
    shopt -s nullglob
    for log in "$SIGIL_SANITIZER_LOGS"/*; do
        if grep -qE '^(==[0-9]+==ERROR|WARNING: ThreadSanitizer|SUMMARY: )|Sanitizer: CHECK failed' "$log"; then
            found=$((found + 1))
            sigil_log "sanitizer report: $log"
            cat "$log" >&2
        else
            suppressed=$((suppressed + 1))
        fi
    done
    shopt -u nullglob
    if [ "$suppressed" -gt 0 ]; then
        sigil_log "$SIGIL_SANITIZER sanitizer: $suppressed process(es) logged only suppressed reports (see $SIGIL_SANITIZER_LOGS)"
    fi
    if [ "$found" -gt 0 ]; then
        sigil_log "$SIGIL_SANITIZER sanitizer: reports from $found process(es) (logs in $SIGIL_SANITIZER_LOGS)"
        return 1
    fi
    sigil_log "$SIGIL_SANITIZER sanitizer: no reports"
}
