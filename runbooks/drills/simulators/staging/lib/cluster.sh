# The one place where the backend pods' state is derived from the facts, in the order a real
# deployment meets its problems: the image pull first (a pull that fails hides everything after it),
# then the container's configuration, the process start, the database connection at start-up, and
# last the health probes. Sourced after common.sh; call derive_pods once, then read the POD_* values.

# Django's host check: "*" allows all; ".example.com" allows the domain and its subdomains; otherwise
# an exact, case-insensitive match of the host without its port. No CIDR ranges, no "*.domain".
host_allowed() {
    local host="${1%%:*}" list="$2" entry
    host="${host,,}"
    IFS=',' read -ra entries <<< "$list"
    for entry in "${entries[@]}"; do
        entry="${entry//[[:space:]]/}"
        entry="${entry,,}"
        [[ -z "$entry" ]] && continue
        [[ "$entry" == "*" ]] && return 0
        if [[ "$entry" == .* ]]; then
            [[ "$host" == "${entry#.}" || "$host" == *"$entry" ]] && return 0
        fi
        [[ "$host" == "$entry" ]] && return 0
    done
    return 1
}

# The ALLOWED_HOSTS value the running container sees (empty when the Deployment does not pass it).
pods_allowed_hosts() {
    if [[ "$(fact allowed_hosts_env)" == configmap ]]; then fact pods_allowed_hosts; fi
}

effective_scheme() {
    local s
    s=$(fact "$1_scheme")
    [[ -n "$s" ]] || s=$(fact probe_scheme_default)
    printf '%s' "${s^^}"
}

pod_template_hash() {
    local g
    g=$(fact deployment_generation)
    if [[ "$g" == 1 ]]; then printf '6d8f9c7b5d'; else printf 'gen%s' "$g" | sha256sum | cut -c1-10; fi
}

pod_names() {
    local h
    h=$(pod_template_hash)
    if [[ "$(fact deployment_generation)" == 1 ]]; then
        POD_NAMES=("coditect-backend-$h-4kx2p" "coditect-backend-$h-9wq7m")
    else
        local s
        s=$(printf 'pods%s' "$h" | sha256sum | tr '0-9' 'b-k')
        POD_NAMES=("coditect-backend-$h-${s:0:5}" "coditect-backend-$h-${s:5:5}")
    fi
}

registry_image_runs_on_amd64() { [[ ",$(fact registry_image_platform)," == *",linux/amd64,"* ]]; }

# Sets:
#   POD_STAGE      pull | config | crash | probes | healthy (the first problem met)
#   POD_PHASE      Pending | Running
#   POD_WAITING    the backend container's waiting reason ("" when it runs)
#   POD_READY      true | false (the backend container)
#   POD_RESTARTS   restart count of the backend container
#   POD_PULL_ERROR the kubelet's "Failed to pull image" message (stage pull)
#   POD_CONFIG_ERROR the container configuration error (stage config)
#   POD_CRASH_LOG  what the crashed container printed (stage crash)
#   POD_PROBE_LIVE / POD_PROBE_READY  probe failure messages, with {IP} for the pod IP (stage probes)
#   POD_DB_VIA     "proxy" or "direct": how the application reaches the database
#   PROXY_STATE    "" (no sidecar) | ok | denied
derive_pods() {
    pod_names
    local image platform
    image=$(fact deployed_image)
    POD_STAGE=healthy POD_PHASE=Running POD_WAITING="" POD_READY=true POD_RESTARTS=0
    POD_PULL_ERROR="" POD_CONFIG_ERROR="" POD_CRASH_LOG="" POD_PROBE_LIVE="" POD_PROBE_READY=""
    PROXY_STATE="" POD_DB_VIA=direct
    if [[ "$(fact proxy_sidecar)" == true ]]; then
        if [[ "$(fact cloudsql_client_granted)" == true ]]; then PROXY_STATE=ok; else PROXY_STATE=denied; fi
    fi

    # 1. The image pull.
    local ref="${image%:*}"
    case "$image" in
        gcr.io/* | *.gcr.io/*)
            POD_PULL_ERROR="Failed to pull image \"$image\": rpc error: code = Unknown desc = failed to pull and unpack image \"$image\": failed to resolve reference \"$image\": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed" ;;
        "$AR_HOST"/*)
            if [[ "$(fact node_sa_reader)" != true && "$(fact ar_repository)" == present ]]; then
                POD_PULL_ERROR="Failed to pull image \"$image\": rpc error: code = Unknown desc = failed to pull and unpack image \"$image\": failed to resolve reference \"$image\": failed to authorize: failed to fetch oauth token: unexpected status from GET request to https://$AR_HOST/v2/token?scope=repository%3A${ref#"$AR_HOST"/}%3Apull&service=$AR_HOST: 403 Forbidden"
            elif [[ "$image" != "$AR_IMAGE" || "$(fact ar_repository)" != present || "$(fact registry_image)" != present ]]; then
                POD_PULL_ERROR="Failed to pull image \"$image\": rpc error: code = NotFound desc = failed to pull and unpack image \"$image\": failed to resolve reference \"$image\": $image: not found"
            elif [[ "$(fact registry_image_kind)" == index ]] && ! registry_image_runs_on_amd64; then
                POD_PULL_ERROR="Failed to pull image \"$image\": rpc error: code = NotFound desc = failed to pull and unpack image \"$image\": no match for platform in manifest: not found"
            fi ;;
        *)
            POD_PULL_ERROR="Failed to pull image \"$image\": rpc error: code = Unknown desc = failed to pull and unpack image \"$image\": failed to resolve reference \"$image\": failed to do request: Head \"https://${image%%/*}/v2/\": dial tcp: lookup ${image%%/*}: no such host" ;;
    esac
    if [[ -n "$POD_PULL_ERROR" ]]; then
        POD_STAGE=pull POD_PHASE=Pending POD_WAITING=ImagePullBackOff POD_READY=false
        return
    fi

    # 2. The container's configuration: the Secret its environment refers to.
    if [[ "$(fact secret_exists)" != true ]]; then
        POD_CONFIG_ERROR="Error: secret \"$SECRET\" not found"
    fi
    if [[ -n "$POD_CONFIG_ERROR" ]]; then
        POD_STAGE=config POD_PHASE=Pending POD_WAITING=CreateContainerConfigError POD_READY=false
        return
    fi

    # 3. The process starts: the binaries must match the node (amd64), the packages must be readable.
    local crash=""
    if ! registry_image_runs_on_amd64; then
        crash="exec /usr/local/bin/python: exec format error"
    elif [[ "$(fact registry_image_packages)" != home ]]; then
        crash=$'Traceback (most recent call last):\n  File "/app/manage.py", line 11, in <module>\n    from django.core.management import execute_from_command_line\nModuleNotFoundError: No module named \'django\''
    elif [[ "$(fact registry_image_app_owner)" != django ]]; then
        crash=$'Traceback (most recent call last):\n  File "/app/manage.py", line 22, in <module>\n    main()\n  File "/home/django/.local/lib/python3.12/site-packages/django/core/management/__init__.py", line 442, in execute_from_command_line\n    utility.execute()\n  File "/home/django/.local/lib/python3.12/site-packages/django/contrib/staticfiles/storage.py", line 43, in path\n    os.makedirs(self.location, exist_ok=True)\nPermissionError: [Errno 13] Permission denied: \'/app/staticfiles\''
    fi

    # 4. The database connection the entrypoint makes before Gunicorn starts (it runs the migrations).
    local dbhost
    dbhost=$(fact db_host_env)
    [[ "$dbhost" == secret ]] && dbhost=$(fact secret_db_host)
    if [[ -n "$PROXY_STATE" && ( "$dbhost" == 127.0.0.1 || "$dbhost" == localhost ) ]]; then POD_DB_VIA=proxy; fi
    if [[ -z "$crash" ]]; then
        local pre=$'Traceback (most recent call last):\n  File "/home/django/.local/lib/python3.12/site-packages/django/db/backends/base/base.py", line 279, in ensure_connection\n    self.connect()\n  File "/home/django/.local/lib/python3.12/site-packages/psycopg2/__init__.py", line 122, in connect\n    conn = _connect(dsn, connection_factory=connection_factory, **kwasync)\n'
        local at="connection to server at \"$dbhost\", port 5432 failed"
        local user_token
        user_token=$(fact secret_db_password)
        if [[ "$POD_DB_VIA" == proxy && "$PROXY_STATE" != ok ]]; then
            crash="${pre}psycopg2.OperationalError: $at: Connection refused"$'\n\tIs the server running on that host and accepting TCP/IP connections?\n\nThe above exception was the direct cause of the following exception:\n\n'"django.db.utils.OperationalError: $at: Connection refused"$'\n\tIs the server running on that host and accepting TCP/IP connections?'
        elif [[ "$POD_DB_VIA" == direct && "$dbhost" != "$DB_PRIVATE_IP" ]]; then
            crash="${pre}psycopg2.OperationalError: $at: Connection timed out"$'\n\tIs the server running on that host and accepting TCP/IP connections?'
        elif lab_on; then
            # The real server answers: TLS, pg_hba.conf, the user, its password and the database.
            local said
            local mode=prefer
            [[ "$POD_DB_VIA" == proxy ]] && mode=proxy
            said=$(lab_app_connect "$mode" "$dbhost") || true
            if [[ -n "$said" ]]; then
                crash="${pre}psycopg2.OperationalError: $said"$'\n\nThe above exception was the direct cause of the following exception:\n\n'"django.db.utils.OperationalError: $said"
            fi
        elif [[ "$POD_DB_VIA" == direct && "$(fact require_ssl)" == true ]]; then
            crash="${pre}psycopg2.OperationalError: $at: FATAL:  connection requires a valid client certificate"$'\n'"connection to server at \"$dbhost\", port 5432 failed: FATAL:  pg_hba.conf rejects connection for host \"10.56.1.10\", user \"coditect_app\", database \"coditect_db\", no encryption"$'\n\nThe above exception was the direct cause of the following exception:\n\n'"django.db.utils.OperationalError: $at: FATAL:  connection requires a valid client certificate"
        elif [[ "$(fact db_user_exists)" != true ]]; then
            # Under password authentication PostgreSQL says the same for a missing user as for a wrong
            # password; "role ... does not exist" is only in the server's log.
            crash="${pre}psycopg2.OperationalError: $at: FATAL:  password authentication failed for user \"coditect_app\""$'\n\nThe above exception was the direct cause of the following exception:\n\n'"django.db.utils.OperationalError: $at: FATAL:  password authentication failed for user \"coditect_app\""
        elif [[ "$(fact db_user_password)" != "$user_token" || "$(fact secret_db_user)" != coditect_app ]]; then
            crash="${pre}psycopg2.OperationalError: $at: FATAL:  password authentication failed for user \"$(fact secret_db_user)\""$'\n\nThe above exception was the direct cause of the following exception:\n\n'"django.db.utils.OperationalError: $at: FATAL:  password authentication failed for user \"$(fact secret_db_user)\""
        elif [[ "$(fact db_database_exists)" != true ]]; then
            crash="${pre}psycopg2.OperationalError: $at: FATAL:  database \"coditect_db\" does not exist"
        fi
    fi
    if [[ -n "$crash" ]]; then
        POD_STAGE=crash POD_WAITING=CrashLoopBackOff POD_READY=false POD_RESTARTS=7 POD_CRASH_LOG="$crash"
        return
    fi

    # 5. The health probes, against a process that runs.
    local live ready hosts live_host ready_host
    live=$(effective_scheme liveness)
    ready=$(effective_scheme readiness)
    hosts=$(pods_allowed_hosts)
    live_host=$(fact liveness_host_header)
    ready_host=$(fact readiness_host_header)
    if [[ "$live" == HTTPS ]]; then
        POD_PROBE_LIVE='Liveness probe failed: Get "https://{IP}:8000/api/v1/health/live": context deadline exceeded (Client.Timeout exceeded while awaiting headers)'
    elif ! host_allowed "${live_host:-${POD_IPS[0]}:8000}" "$hosts"; then
        POD_PROBE_LIVE='Liveness probe failed: HTTP probe failed with statuscode: 400'
    fi
    if [[ "$ready" == HTTPS ]]; then
        POD_PROBE_READY='Readiness probe failed: Get "https://{IP}:8000/api/v1/health/ready": context deadline exceeded (Client.Timeout exceeded while awaiting headers)'
    elif ! host_allowed "${ready_host:-${POD_IPS[0]}:8000}" "$hosts"; then
        POD_PROBE_READY='Readiness probe failed: HTTP probe failed with statuscode: 400'
    fi
    if [[ -n "$POD_PROBE_LIVE$POD_PROBE_READY" ]]; then
        POD_STAGE=probes POD_READY=false
        if [[ -n "$POD_PROBE_LIVE" ]]; then POD_RESTARTS=4; fi
    fi
    return 0
}

# Whether a request with this Host header reaches a view (true) or gets Django's 400 (false).
# Pod IPs are checked as the pods' own addresses: the app sees exactly the header it is given.
app_accepts_host() { host_allowed "$1" "$(pods_allowed_hosts)"; }

# The Gunicorn start-up lines and the access log of the probes, for a container that runs.
app_log() {
    local ip="$1" when
    when=$(date -u '+%Y-%m-%d %H:%M:%S +0000')
    local dbdesc="$(fact secret_db_host):5432"
    [[ "${POD_DB_VIA:-direct}" == proxy ]] && dbdesc="127.0.0.1:5432 (Cloud SQL Auth Proxy)"
    printf '%s\n' "Checking the database connection: coditect_db on $dbdesc as coditect_app ... ok" \
        "Operations to perform:" \
        "  Apply all migrations: admin, auth, contenttypes, licenses, sessions" \
        "Running migrations:" \
        "  No migrations to apply." \
        "[$when] [1] [INFO] Starting gunicorn 23.0.0" \
        "[$when] [1] [INFO] Listening at: http://0.0.0.0:8000 (1)" \
        "[$when] [1] [INFO] Using worker: sync" \
        "[$when] [7] [INFO] Booting worker with pid: 7" \
        "[$when] [8] [INFO] Booting worker with pid: 8" \
        "[$when] [9] [INFO] Booting worker with pid: 9" \
        "[$when] [10] [INFO] Booting worker with pid: 10"
    local live ready host code n stamp
    live=$(effective_scheme liveness)
    ready=$(effective_scheme readiness)
    for n in 1 2 3 4 5 6; do
        stamp=$(date -u '+%d/%b/%Y:%H:%M:%S +0000')
        for probe in live ready; do
            local scheme=$live
            [[ $probe == ready ]] && scheme=$ready
            [[ "$scheme" == HTTPS ]] && continue   # a TLS handshake on a plain port never reaches Django
            host=$(fact "$([[ $probe == live ]] && echo liveness || echo readiness)_host_header")
            host="${host:-$ip:8000}"
            # With DEBUG = False, Django logs DisallowedHost only to mail_admins: the access log is all there is.
            if app_accepts_host "$host"; then code=200; else code=400; fi
            printf '%s\n' "${ip%.*}.1 - - [$stamp] \"GET /api/v1/health/$probe HTTP/1.1\" $code $([[ $code == 200 ]] && echo 15 || echo 143) \"-\" \"kube-probe/1.30\""
        done
    done
}

# What the Cloud SQL Auth Proxy sidecar prints.
proxy_log() {
    local when
    when=$(date -u '+%Y/%m/%d %H:%M:%S')
    printf '%s\n' "$when Authorizing with Application Default Credentials" \
        "$when [coditect-cloud-infra:us-central1:coditect-db] Listening on 127.0.0.1:5432" \
        "$when The proxy has started successfully and is ready for new connections!"
    if [[ "$PROXY_STATE" == denied ]]; then
        printf '%s\n' "$when [coditect-cloud-infra:us-central1:coditect-db] failed to connect to instance: failed to get instance: Refresh error: failed to get instance metadata (connection name = \"coditect-cloud-infra:us-central1:coditect-db\"): googleapi: Error 403: boss::NOT_AUTHORIZED: Not authorized to access resource. Possibly missing permission cloudsql.instances.get on resource instances.coditect-db., forbidden"
    fi
}
