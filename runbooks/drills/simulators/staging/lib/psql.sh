# The psql session `gcloud sql connect` opens: it reads statements from standard input (the terminal
# in the TUI) and knows the grants of the runbook's issue 5. Sourced by gcloud.
# The password prompt of `gcloud sql connect` (any password is taken: the drill has no real one).
psql_prompt_password() {
    printf '%s\n' "Allowlisting your IP for incoming connection for 5 minutes...done." "Connecting to database with SQL user [postgres]." >&2
    printf 'Password: ' >&2
    local pw
    IFS= read -r -s pw || true
    echo >&2
    [[ -n "$pw" ]] || fail 2 "psql: error: connection to server at \"$DB_PRIVATE_IP\", port 5432 failed: fe_sendauth: no password supplied"
    return 0
}

psql_session() {
    printf '%s\n' "Allowlisting your IP for incoming connection for 5 minutes...done." "Connecting to database with SQL user [postgres]." >&2
    printf 'Password: ' >&2
    local pw
    IFS= read -r -s pw || true
    echo >&2
    [[ -n "$pw" ]] || fail 2 "psql: error: connection to server at \"$DB_PRIVATE_IP\", port 5432 failed: fe_sendauth: no password supplied"
    printf '%s\n' "psql (15.10 (Debian 15.10-0+deb12u1), server 15.10)" \
        "SSL connection (protocol: TLSv1.3, cipher: TLS_AES_256_GCM_SHA384, compression: off)" 'Type "help" for help.' ""
    local line stmt="" granted=0
    while printf 'postgres=> '; IFS= read -r line; do
        line="${line#"${line%%[![:space:]]*}"}"
        case "$line" in
            '\q' | quit | exit) echo; break ;;
            "") continue ;;
        esac
        stmt="$stmt${stmt:+ }$line"
        [[ "$stmt" == *";" ]] || continue
        if [[ "${stmt^^}" == *CODITECT_APP* && "$(fact db_user_exists)" != true ]]; then
            echo 'ERROR:  role "coditect_app" does not exist'
            stmt=""
            continue
        fi
        case "${stmt^^}" in
            GRANT\ ALL\ PRIVILEGES\ ON\ DATABASE\ CODITECT_DB\ TO\ CODITECT_APP\;) echo GRANT; granted=$((granted | 1)) ;;
            GRANT\ ALL\ PRIVILEGES\ ON\ SCHEMA\ PUBLIC\ TO\ CODITECT_APP\;) echo GRANT; granted=$((granted | 2)) ;;
            ALTER\ DEFAULT\ PRIVILEGES\ IN\ SCHEMA\ PUBLIC\ GRANT\ ALL\ ON\ TABLES\ TO\ CODITECT_APP\;) echo "ALTER DEFAULT PRIVILEGES"; granted=$((granted | 4)) ;;
            ALTER\ DEFAULT\ PRIVILEGES\ IN\ SCHEMA\ PUBLIC\ GRANT\ ALL\ ON\ SEQUENCES\ TO\ CODITECT_APP\;) echo "ALTER DEFAULT PRIVILEGES"; granted=$((granted | 8)) ;;
            *CODITECT_APP*) echo "ERROR:  this drill's psql only knows the four grants of the runbook" ;;
            *) echo "ERROR:  not simulated in this drill: $stmt" ;;
        esac
        stmt=""
    done
    if ((granted == 15)) && [[ "$(fact db_user_exists)" == true ]]; then set_fact db_grants true; fi
    return 0
}
