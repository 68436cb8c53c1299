# Shared by every staging simulator: the drill check, facts, constants, and the "not simulated" answer.
# Sourced, never run. Callers set TOOL (the command's name) before sourcing.

SIM_LIB="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"

# The staging environment the runbooks describe.
PROJECT_ID=coditect-cloud-infra
PROJECT_NUMBER=412093376510
REGION=us-central1
CLUSTER=coditect-staging-cluster
NAMESPACE=coditect-staging
APP_LABEL=coditect-backend
DEPLOYMENT=coditect-backend
SERVICE=coditect-backend
CONTAINER=backend
CONFIGMAP=backend-config
SECRET=backend-secrets
AR_HOST=us-central1-docker.pkg.dev
AR_REPOSITORY=coditect-backend
AR_IMAGE="$AR_HOST/$PROJECT_ID/$AR_REPOSITORY/coditect-cloud-backend:v1.0.0-staging"
GCR_IMAGE="gcr.io/$PROJECT_ID/coditect-cloud-backend:v1.0.0-staging"
DB_INSTANCE=coditect-db
DB_PRIVATE_IP=10.41.64.3
NODE_SA="coditect-gke-nodes@$PROJECT_ID.iam.gserviceaccount.com"
BACKEND_SA="coditect-cloud-backend@$PROJECT_ID.iam.gserviceaccount.com"
SERVICE_DNS="coditect-backend.coditect-staging.svc.cluster.local"
POD_IPS=(10.56.1.10 10.56.2.20)
NODES=(gke-coditect-staging-default-pool-7c1e2a4b-x7k2 gke-coditect-staging-default-pool-7c1e2a4b-q9m4)

# Prints an error on stderr and exits with the given status.
fail() { local code=$1; shift; printf '%s\n' "$@" >&2; exit "$code"; }

# The answer to any command or flag this drill does not know.
not_simulated() { fail 3 "$TOOL: not simulated in this drill: $*"; }

if [[ -z "${RUNBOOK_DRILL_STATE:-}" || ! -d "${RUNBOOK_DRILL_STATE:-}" ]]; then
    fail 3 "$TOOL: this is a drill simulator, not the real $TOOL: it only runs inside \`runbook drill\` (RUNBOOK_DRILL_STATE is not set)"
fi
if [[ -z "${BACKEND_REPO:-}" ]]; then BACKEND_REPO="${RUNBOOK_DRILL_WORKSPACE:-$RUNBOOK_DRILL_STATE/..}/repo"; fi

# The healthy value of every fact; a scenario's state: overrides some of them.
fact_default() {
    case "$1" in
        # The Deployment as the cluster holds it (set by `kubectl apply -f` from the manifest).
        deployed_image) printf '%s' "$AR_IMAGE" ;;
        liveness_scheme | readiness_scheme) printf 'HTTP' ;;       # "" when the manifest names none
        probe_scheme_default) printf 'HTTP' ;;                      # what the cluster fills in for ""
        liveness_host_header | readiness_host_header) printf '' ;;  # "" = the probe sends the pod IP
        deployment_template) printf '' ;;                           # digest of the applied pod template
        proxy_sidecar) printf 'false' ;;
        db_host_env) printf 'secret' ;;                             # "secret" or the literal DB_HOST
        allowed_hosts_env) printf 'configmap' ;;                    # "configmap" or "none"
        deployment_generation) printf '1' ;;
        # The ConfigMap as the cluster holds it, and the value the running pods read when they started.
        configmap_allowed_hosts | pods_allowed_hosts) printf '*' ;;
        # Artifact Registry and the image pushed at the runbook's tag.
        artifact_registry_api) printf 'enabled' ;;
        ar_repository) printf 'present' ;;
        node_sa_reader) printf 'true' ;;
        registry_image) printf 'present' ;;
        registry_image_platform) printf 'linux/amd64' ;;
        registry_image_kind) printf 'index' ;;                      # index (buildx, attestations) or image
        registry_image_packages) printf 'home' ;;                   # home (/home/django/.local) or root
        registry_image_app_owner) printf 'django' ;;                # owner of /app: django or root
        registry_image_user) printf 'django' ;;                     # the USER of the runtime stage ("" = root)
        registry_image_digest) printf 'sha256:7d3c1f0a9b2e48c65d1f0e3a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c' ;;
        # The engineer's machine.
        workstation_arch) printf 'x86_64' ;;                        # x86_64 or arm64 (Apple Silicon)
        docker_auth_hosts) printf '%s' "$AR_HOST" ;;                # registries docker can push to
        buildx_builders) printf 'default' ;;
        buildx_current) printf 'default' ;;
        buildx_running) printf 'default' ;;                         # builders started (bootstrap or a build)
        # Cloud SQL.
        sql_instance_state) printf 'RUNNABLE' ;;
        require_ssl) printf 'false' ;;
        cloudsql_client_granted) printf 'true' ;;
        db_user_exists) printf 'true' ;;
        db_user_password) printf 'initial' ;;                       # a token: sha256 of the password set
        db_database_exists) printf 'true' ;;
        db_grants) printf 'true' ;;
        # The backend-secrets Secret.
        secret_exists) printf 'true' ;;
        secret_django_secret_key_bytes) printf '89' ;;
        secret_db_name) printf 'coditect_db' ;;
        secret_db_user) printf 'coditect_app' ;;
        secret_db_password) printf 'initial' ;;                     # the same kind of token
        secret_db_password_bytes) printf '44' ;;
        secret_db_host) printf '%s' "$DB_PRIVATE_IP" ;;
        secret_redis_host) printf '10.41.65.4' ;;
        load_balancer_ip) printf '34.117.52.10' ;;
        # Where the engineer's tools point: kubectl's current context and gcloud's default project.
        kube_context) printf 'gke_%s_%s_%s' "$PROJECT_ID" "$REGION" "$CLUSTER" ;;
        gcloud_project) printf '%s' "$PROJECT_ID" ;;
        *) fail 3 "$TOOL: internal error: unknown fact \`$1\` (add its default to lib/common.sh)" ;;
    esac
}

fact() {
    local f="$RUNBOOK_DRILL_STATE/$1"
    if [[ -f "$f" ]]; then cat "$f"; else fact_default "$1"; fi
}

set_fact() {
    fact_default "$1" > /dev/null   # only known facts
    local tmp
    tmp=$(mktemp "$RUNBOOK_DRILL_STATE/.$1.XXXXXX")
    printf '%s' "$2" > "$tmp"
    mv -f "$tmp" "$RUNBOOK_DRILL_STATE/$1"
}

# The token a password is stored as: its SHA-256, so the state never holds the password itself.
password_token() { printf '%s' "$1" | sha256sum | cut -c1-64; }

# A workspace-relative or absolute path, checked to be inside the backend repository.
repo_file() {
    local p="$1" full
    [[ "$p" == /* ]] || p="$PWD/$p"
    full=$(readlink -m "$p")
    case "$full" in
        "$(readlink -m "$BACKEND_REPO")"/*) printf '%s' "$full" ;;
        *) return 1 ;;
    esac
}

source "$SIM_LIB/lab.sh"

flatten_yaml() { awk -f "$SIM_LIB/yaml-flatten.awk" "$@"; }

# Reads one flattened path's value from flattened YAML on stdin.
flat_get() { awk -F '\t' -v k="$1" '$1 == k { print $2; exit }'; }
