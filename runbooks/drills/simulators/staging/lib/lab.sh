# The drill's real PostgreSQL server (runbooks/drills/lab/postgres), when the scenario has `lab:
# postgres`: the simulators then act on it, so that every SQL statement runs for real and every error
# message is PostgreSQL's own. Sourced by common.sh; without a lab, lab_on is false and nothing here runs.

PG_BIN=/usr/lib/postgresql/15/bin
LAB_DIR="${RUNBOOK_DRILL_WORKSPACE:-}/lab"

lab_on() { [[ "${RUNBOOK_DRILL_LAB:-}" == postgres && -n "${RUNBOOK_DRILL_PGPORT:-}" ]]; }

# SQL as the instance's superuser (cloudsqladmin, as on Cloud SQL), through the server's Unix socket (peer authentication: as the
# server's account when root).
lab_admin_psql() {
    local run=()
    ((EUID == 0)) && run=(/usr/bin/setpriv --reuid=postgres --regid=postgres --init-groups --)
    "${run[@]}" "$PG_BIN/psql" -X -h "$RUNBOOK_DRILL_PGSOCKET" -p "$RUNBOOK_DRILL_PGPORT" -U cloudsqladmin "$@"
}

# A SQL string literal: single quotes doubled.
lab_literal() { local s=${1//\'/\'\'}; printf "'%s'" "$s"; }

# The password the backend-secrets Secret holds (the Secret's own value, kept in the lab folder).
lab_secret_password() { cat "$LAB_DIR/secret-db-password" 2> /dev/null || true; }
lab_set_secret_password() {
    printf '%s' "$1" > "$LAB_DIR/.secret-db-password.tmp"
    chmod 0600 "$LAB_DIR/.secret-db-password.tmp"
    mv -f "$LAB_DIR/.secret-db-password.tmp" "$LAB_DIR/secret-db-password"
}

# The application's connection as Django makes it at start-up: the Secret's user, password and
# database, over TCP. SSLMODE is libpq's: `prefer` for a direct connection (psycopg2's default),
# `proxy` for the Cloud SQL Auth Proxy (TLS with the instance's client certificate). Prints nothing
# and succeeds when it connects; else prints libpq's message (without psql's prefix), as the pod
# would see it at DBHOST:5432.
lab_app_connect() {
    local mode=$1 dbhost=$2 out conn
    conn="host=127.0.0.1 port=$RUNBOOK_DRILL_PGPORT user=$(fact secret_db_user) dbname=$(fact secret_db_name) connect_timeout=5"
    if [[ "$mode" == proxy ]]; then
        conn="$conn sslmode=verify-ca sslrootcert=$LAB_DIR/pg/ca.crt sslcert=$LAB_DIR/pg/client.crt sslkey=$LAB_DIR/pg/client.key"
    else
        conn="$conn sslmode=$mode"
    fi
    if out=$(PGPASSWORD="$(lab_secret_password)" PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" -X -q -A -t "$conn" -c 'SELECT 1' 2>&1 > /dev/null); then
        return 0
    fi
    out=${out#psql: error: }
    out=${out//"connection to server at \"127.0.0.1\", port $RUNBOOK_DRILL_PGPORT failed"/"connection to server at \"$dbhost\", port 5432 failed"}
    printf '%s' "$out"
    return 1
}

# Rewrites pg_hba.conf from the require_ssl fact and reloads the server.
lab_apply_ssl_rule() { "$RUNBOOK_DRILL_LAB_CTL" hba; }

# `gcloud sql connect --user=postgres`: psql as postgres (no superuser; a member of cloudsqlsuperuser)
# through the socket, reading the statements from standard input. Afterwards the grants fact follows
# what the server holds.
lab_psql_session() {
    PGPASSWORD="$(cat "$LAB_DIR/postgres-password")" "$PG_BIN/psql" -X \
        "host=$RUNBOOK_DRILL_PGSOCKET port=$RUNBOOK_DRILL_PGPORT user=postgres dbname=postgres" || true
    local granted
    granted=$(lab_admin_psql -q -A -t -d postgres -c "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'coditect_app') AND has_database_privilege('coditect_app', 'coditect_db', 'CREATE')" 2> /dev/null || true)
    if [[ "$granted" == t ]]; then set_fact db_grants true; fi
    return 0
}
