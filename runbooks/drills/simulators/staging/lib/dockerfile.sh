# What an image built from a Dockerfile does at run time, read from the Dockerfile's runtime stage
# (after its last FROM). Sourced by docker. Sets DF_PACKAGES (home|root), DF_APP_OWNER (django|root),
# DF_USER (the last USER, or empty: root) and DF_ERROR (a build error, or empty).
analyze_dockerfile() {
    local file="$1"
    DF_PACKAGES=root DF_APP_OWNER=root DF_USER="" DF_ERROR=""
    local stage
    stage=$(awk '
        { line = $0; while (line ~ /\\$/ && (getline next_line) > 0) { sub(/\\$/, " ", line); line = line next_line } }
        toupper(line) ~ /^[[:space:]]*FROM[[:space:]]/ { n++; delete s; c = 0 }
        { s[++c] = line }
        END { for (i = 1; i <= c; i++) print s[i] }' "$file")
    local n=0 useradd_at=0 user_at=0 chown_app_at=0 chown_local_at=0 copy_home_at=0 path_ok=false line
    while IFS= read -r line; do
        n=$((n + 1))
        line="${line%%#*}"
        case "$line" in
            *useradd*django*) ((useradd_at)) || useradd_at=$n ;;
        esac
        if [[ "$line" =~ ^[[:space:]]*USER[[:space:]]+(django|1000) ]]; then ((user_at)) || user_at=$n; fi
        if [[ "$line" =~ ^[[:space:]]*USER[[:space:]]+([^[:space:]]+) ]]; then DF_USER="${BASH_REMATCH[1]}"; fi
        if [[ "$line" =~ ^[[:space:]]*COPY[[:space:]].*--from=builder.*/root/\.local[[:space:]]+/home/django/\.local ]]; then
            copy_home_at=$n
            if [[ "$line" == *--chown=django* || "$line" == *--chown=1000* ]]; then chown_local_at=$n; fi
        fi
        if [[ "$line" =~ ^[[:space:]]*COPY[[:space:]].*--from=builder.*--chown=(django|1000).*[[:space:]]/app[[:space:]]+/app ]]; then chown_app_at=$n; fi
        if [[ "$line" =~ ^[[:space:]]*RUN[[:space:]].*chown[[:space:]]+(-R[[:space:]]+)?django(:django)?[[:space:]] ]]; then
            [[ "$line" =~ [[:space:]]/app([[:space:]]|$) ]] && chown_app_at=$n
            [[ "$line" == */home/django/.local* ]] && chown_local_at=$n
            if ((useradd_at == 0)); then DF_ERROR="chown: invalid user: 'django:django'"; return; fi
            if ((user_at && user_at < n)); then DF_ERROR="chown: changing ownership of '/app/manage.py': Operation not permitted"; return; fi
        fi
        if [[ "$line" =~ ^[[:space:]]*ENV[[:space:]]+PATH=.*/home/django/\.local/bin ]]; then path_ok=true; fi
    done <<< "$stage"
    if ((copy_home_at)) && $path_ok; then DF_PACKAGES=home; fi
    if ((chown_app_at)); then DF_APP_OWNER=django; fi
    : "$chown_local_at"
}
