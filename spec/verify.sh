#!/usr/bin/env bash
# Model-checks the session/save/gift protocol in profileservice.pml with spin:
#   1. exhaustive safety searches of the model in several configurations: no error, search complete;
#   2. the liveness claim under weak fairness;
#   3. every broken variant: each must fail with a counterexample trail, on the property named here.
# Exits 0 only if all of that holds. Needs spin and gcc. Work files (pan.c, pan, trails) go to
# spec/.build/<check>/ (git-ignored); replay a trail there with: spin -t -p <flags> profileservice.pml
# Checks run in two lanes (two cores). SPEC_LANES=1 runs them one after another.
set -uo pipefail
cd "$(dirname "$0")"
SPEC=$(pwd)
SELF=$SPEC/$(basename "$0")
BUILD=$SPEC/.build
MODEL=profileservice.pml
MEMLIM=${SPEC_MEMLIM:-6000}   # MB per search
LANES=${SPEC_LANES:-2}

command -v spin >/dev/null || { echo "verify.sh: spin not found (apt-get install spin)"; exit 2; }
command -v gcc >/dev/null || { echo "verify.sh: gcc not found"; exit 2; }
rm -rf "$BUILD" && mkdir -p "$BUILD"

# check KIND NAME EXPECT -- SPIN_FLAGS...
#   KIND   safety | liveness: the search must end with no error and complete
#          safety-fails | liveness-fails: it must find an error, of the property EXPECT
#   EXPECT for -fails: a prefix of the violated property's name (P1_one_writer .. P6_lease),
#          "deadlock" (invalid end state) or "liveness" (acceptance cycle)
# Writes one result line to $BUILD/NAME/result: ok|FAILED name states seconds detail
check() {
    local kind=$1 name=$2 expect=$3; shift 4
    local flags="$*" dir=$BUILD/$name cc pan start end out states secs detail prop line
    mkdir -p "$dir" && cp "$MODEL" "$dir/" && cd "$dir" || return
    start=$(date +%s.%N)
    case $kind in   # a failing variant needs few states: compiling fast beats running fast
        safety) cc="-O2 -DSAFETY"; pan="./pan -m10000 -w25" ;;
        safety-fails) cc="-O0 -DSAFETY"; pan="./pan -m10000 -w20" ;;
        liveness) cc="-O2 -DNFAIR=4"; pan="./pan -a -f -m10000 -w24" ;;
        liveness-fails) cc="-O0 -DNFAIR=4"; pan="./pan -a -f -m10000 -w20" ;;
    esac
    if ! spin -a $flags "$MODEL" > spin.out 2>&1; then
        echo "FAILED $name - - spin -a failed: $(head -3 spin.out | tr '\n' ' ')" > result; cd "$SPEC"; return
    fi
    if ! gcc -w $cc -DMEMLIM="$MEMLIM" -o pan pan.c > gcc.out 2>&1; then
        echo "FAILED $name - - gcc failed" > result; cd "$SPEC"; return
    fi
    $pan > pan.out 2>&1
    end=$(date +%s.%N)
    secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", b - a }')
    states=$(sed -n 's/^ *\([0-9.e+]*\) states, stored.*/\1/p' pan.out | head -1)
    out=$(cat pan.out)
    case $kind in
        safety|liveness)
            if grep -q "errors: 0" <<<"$out" && ! grep -qiE "search not completed|MEMLIM|max search depth too small|out of memory" <<<"$out"; then
                echo "ok $name $states $secs complete, no errors" > result
            else
                echo "FAILED $name ${states:--} $secs $(grep -iE 'violated|invalid end|acceptance|not completed|MEMLIM|depth too small|memory' pan.out | head -2 | tr '\n' ' ')" > result
            fi ;;
        *-fails)
            if grep -q "errors: 0" <<<"$out" || [ ! -f "$MODEL.trail" ]; then
                echo "FAILED $name ${states:--} $secs no counterexample found (the variant must fail)" > result
            else
                if grep -q "^pan:[0-9]*: invalid end state" <<<"$out"; then
                    prop=deadlock
                elif grep -q "^pan:[0-9]*: acceptance cycle" <<<"$out"; then
                    prop=liveness
                else   # each assertion names its property: assert(P1_one_writer && ...)
                    prop=$(sed -n 's/^pan:[0-9]*: assertion violated.*\(P[1-6]_[a-z_]*\).*/\1/p' pan.out | head -1)
                fi
                if [ "${prop#"$expect"}" != "$prop" ]; then
                    echo "ok $name ${states:--} $secs counterexample: ${prop}" > result
                else
                    echo "FAILED $name ${states:--} $secs counterexample on '${prop:-?}', expected $expect" > result
                fi
            fi ;;
    esac
    cd "$SPEC"
}

# The model (real protocol): exhaustive. NS servers, NG gifts, FAULTS faults of any kind per run.
lane1() {
    check safety     cas-2s-2g-1f       - -- -DNS=2 -DNG=2 -DFAULTS=1
    check liveness   live-cas-2s-1g-1f  - -- -DLIVENESS -DNS=2 -DNG=1 -DFAULTS=1
    check liveness   live-app-2s-1g-1f  - -- -DLIVENESS -DINBOX_APPEND -DNS=2 -DNG=1 -DFAULTS=1
}
lane2() {
    check safety     cas-2s-1g-2f       - -- -DNS=2 -DNG=1 -DFAULTS=2
    check safety     cas-3s-1g-1f-nobus - -- -DNS=3 -DNG=1 -DFAULTS=1 -DNO_BUS
    check safety     app-2s-2g-1f       - -- -DINBOX_APPEND -DNS=2 -DNG=2 -DFAULTS=1 -DSENDERS=1
    check safety     app-2s-1g-2f       - -- -DINBOX_APPEND -DNS=2 -DNG=1 -DFAULTS=2
    # Broken variants: each one flag away, each must fail. The second run of a variant switches off
    # the property that fails first, to show the damage it does (lost update, gift lost or doubled).
    local B="-DNS=2 -DNG=1 -DFAULTS=2"
    check safety-fails   unfenced-save               P1_one_writer      -- $B -DBROKEN_UNFENCED_SAVE
    check safety-fails   unfenced-save-damage        P2_no_lost_update  -- $B -DBROKEN_UNFENCED_SAVE -DNO_P1
    check safety-fails   unfenced-release            P1_one_writer      -- $B -DBROKEN_UNFENCED_RELEASE
    check safety-fails   unfenced-release-damage     P2_no_lost_update  -- $B -DBROKEN_UNFENCED_RELEASE -DNO_P1
    check safety-fails   lock-outside-save           P3_exactly_once    -- $B -DBROKEN_LOCK_OUTSIDE
    check safety-fails   lock-outside-save-damage    P3_all_applied     -- $B -DBROKEN_LOCK_OUTSIDE -DP3_END_ONLY
    check safety-fails   loader-clock                P6_lease           -- $B -DBROKEN_LOADER_CLOCK
    check safety-fails   forget-before-read          P3_exactly_once    -- $B -DBROKEN_FORGET_BEFORE_READ
    check safety-fails   forget-before-read-damage   P3_all_applied     -- $B -DBROKEN_FORGET_BEFORE_READ -DP3_END_ONLY
    check safety-fails   apply-then-clear            P3_exactly_once    -- $B -DBROKEN_APPLY_THEN_CLEAR
    check safety-fails   apply-then-clear-damage     P3_all_applied     -- $B -DBROKEN_APPLY_THEN_CLEAR -DP3_END_ONLY
    check safety-fails   sender-lost-reply           P3_exactly_once    -- $B -DSENDER_LOST_REPLY
    check safety-fails   sender-lost-reply-damage    P3_all_applied     -- $B -DSENDER_LOST_REPLY -DP3_END_ONLY
    check safety-fails   append-no-dedupe            P3_exactly_once    -- $B -DINBOX_APPEND -DBROKEN_APPEND_NO_DEDUPE
    check safety-fails   append-no-dedupe-damage     P3_all_applied     -- $B -DINBOX_APPEND -DBROKEN_APPEND_NO_DEDUPE -DP3_END_ONLY
    check liveness-fails no-retry                    liveness          -- -DLIVENESS -DNS=2 -DNG=1 -DFAULTS=1 -DBROKEN_NO_RETRY
}

t0=$(date +%s)
if [ "$LANES" -ge 2 ]; then
    lane1 & p1=$!
    lane2 & p2=$!
    wait $p1 $p2
else
    lane1; lane2
fi
t1=$(date +%s)

status=0
printf '%-28s %-7s %12s %6s  %s\n' check result states secs detail
for r in "$BUILD"/*/result; do
    read -r res name states secs detail < "$r"
    printf '%-28s %-7s %12s %6s  %s\n' "$name" "$res" "$states" "$secs" "$detail"
    [ "$res" = ok ] || status=1
done
n=$(ls "$BUILD"/*/result | wc -l)
want=$(grep -c '^    check ' "$SELF")
[ "$n" -eq "$want" ] || { echo "verify.sh: expected $want results, got $n"; status=1; }
echo "total $((t1 - t0)) s; $( [ $status -eq 0 ] && echo 'all checks hold' || echo 'SOME CHECKS FAILED')"
exit $status
