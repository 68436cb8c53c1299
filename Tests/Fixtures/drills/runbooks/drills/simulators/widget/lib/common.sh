# Shared helpers of the widget simulator (sourced, not run).

require_drill() {
    if [[ -z "${RUNBOOK_DRILL_STATE:-}" ]]; then
        echo "$1: this is a drill simulator; run it through \`runbook drill\`" >&2
        exit 3
    fi
}

# fact NAME DEFAULT: the fact's value, or DEFAULT when the drill has not set it.
fact() {
    if [[ -f "$RUNBOOK_DRILL_STATE/$1" ]]; then cat "$RUNBOOK_DRILL_STATE/$1"; else printf '%s' "$2"; fi
}

# set_fact NAME VALUE: written atomically.
set_fact() {
    printf '%s' "$2" > "$RUNBOOK_DRILL_STATE/.$1.tmp"
    mv "$RUNBOOK_DRILL_STATE/.$1.tmp" "$RUNBOOK_DRILL_STATE/$1"
}

not_simulated() {
    local tool=$1
    shift
    echo "$tool: not simulated in this drill: $*" >&2
    exit 3
}
