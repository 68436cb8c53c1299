# What kubectl prints and changes, from the facts and derive_pods. Sourced by kubectl.

minutes_ago() { date -u -d "-$1 min" '+%Y-%m-%dT%H:%M:%SZ'; }

ready_count() {
    if [[ "$POD_READY" == true ]]; then printf '2'; else printf '0'; fi
}

pod_status_word() {
    case "$POD_STAGE" in
        pull | config | crash) printf '%s' "$POD_WAITING" ;;
        *) printf 'Running' ;;
    esac
}

# Container readiness as "READY" shows it: backend, plus the proxy sidecar when there is one.
pod_ready_column() {
    local n=0 total=1
    [[ "$POD_READY" == true ]] && n=1
    if [[ "$(fact proxy_sidecar)" == true ]]; then total=2; n=$((n + 1)); fi
    printf '%s/%s' "$n" "$total"
}

unsupported_output() { not_simulated "$ALL_ARGS"; }

get_pods() {
    local name="$1" out="$2" i ip
    [[ -z "$name" ]] || not_simulated "$ALL_ARGS"
    local has_proxy
    has_proxy=$(fact proxy_sidecar)
    case "$out" in
        "")
            printf '%-34s  %-5s   %-26s %-8s   %s\n' NAME READY STATUS RESTARTS AGE
            for i in 0 1; do
                printf '%-34s  %-5s   %-26s %-8s   %s\n' "${POD_NAMES[$i]}" "$(pod_ready_column)" "$(pod_status_word)" "$POD_RESTARTS" 14m
            done ;;
        wide)
            printf '%-34s  %-5s   %-26s %-8s   %-4s  %-11s  %-48s  %s\n' NAME READY STATUS RESTARTS AGE IP NODE "NOMINATED NODE   READINESS GATES"
            for i in 0 1; do
                ip="${POD_IPS[$i]}"
                printf '%-34s  %-5s   %-26s %-8s   %-4s  %-11s  %-48s  %s\n' "${POD_NAMES[$i]}" "$(pod_ready_column)" "$(pod_status_word)" "$POD_RESTARTS" 14m "$ip" "${NODES[$i]}" "<none>           <none>"
            done ;;
        'jsonpath={range .items[*]}{.metadata.name}{" waiting="}{.status.containerStatuses[*].state.waiting.reason}{" ready="}{.status.containerStatuses[*].ready}{"\n"}{end}')
            for i in 0 1; do
                printf '%s waiting=%s ready=%s%s\n' "${POD_NAMES[$i]}" "$POD_WAITING" "$POD_READY" "$([[ $has_proxy == true ]] && printf ' true')"
            done ;;
        'jsonpath={range .items[*]}{.metadata.name}{" "}{.status.phase}{"\n"}{end}')
            for i in 0 1; do printf '%s %s\n' "${POD_NAMES[$i]}" "$POD_PHASE"; done ;;
        'jsonpath={.items[0].status.podIP}')
            printf '%s' "${POD_IPS[0]}" ;;
        name)
            for i in 0 1; do printf 'pod/%s\n' "${POD_NAMES[$i]}"; done ;;
        'custom-columns=NAME:.metadata.name,RESTARTS:.status.containerStatuses[*].restartCount,LAST_EXIT:.status.containerStatuses[*].lastState.terminated.exitCode')
            printf '%-34s   %-8s   %s\n' NAME RESTARTS LAST_EXIT
            local last="<none>"
            [[ "$POD_STAGE" == crash ]] && last=1
            [[ "$POD_STAGE" == probes && "$POD_RESTARTS" != 0 ]] && last=137
            local restarts="$POD_RESTARTS"
            [[ $has_proxy == true ]] && restarts="$restarts,0"
            for i in 0 1; do printf '%-34s   %-8s   %s\n' "${POD_NAMES[$i]}" "$restarts" "$last"; done ;;
        yaml) pods_yaml ;;
        *) unsupported_output ;;
    esac
}

probe_yaml() {
    local kind="$1" path="$2" delay="$3" period="$4" timeout="$5" indent="$6"
    local scheme host
    scheme=$(effective_scheme "$kind")
    host=$(fact "${kind}_host_header")
    printf '%s\n' "${indent}${kind}Probe:" "${indent}  failureThreshold: 3" "${indent}  httpGet:"
    if [[ -n "$host" ]]; then
        printf '%s\n' "${indent}    httpHeaders:" "${indent}    - name: Host" "${indent}      value: $host"
    fi
    printf '%s\n' "${indent}    path: $path" "${indent}    port: 8000" "${indent}    scheme: $scheme" \
        "${indent}  initialDelaySeconds: $delay" "${indent}  periodSeconds: $period" "${indent}  successThreshold: 1" "${indent}  timeoutSeconds: $timeout"
}

pods_yaml() {
    local i
    printf '%s\n' "apiVersion: v1" "items:"
    for i in 0 1; do
        printf '%s\n' "- apiVersion: v1" "  kind: Pod" "  metadata:" "    labels:" "      app: coditect-backend" \
            "      pod-template-hash: $(pod_template_hash)" "    name: ${POD_NAMES[$i]}" "    namespace: $NAMESPACE" \
            "  spec:" "    containers:" "    - image: $(fact deployed_image)" "      imagePullPolicy: Always"
        probe_yaml liveness /api/v1/health/live 30 10 5 "      "
        printf '%s\n' "      name: backend" "      ports:" "      - containerPort: 8000" "        name: http" "        protocol: TCP"
        probe_yaml readiness /api/v1/health/ready 20 5 3 "      "
        if [[ "$(fact proxy_sidecar)" == true ]]; then
            printf '%s\n' "    - args:" "      - --private-ip" "      - coditect-cloud-infra:us-central1:coditect-db" "      - --port=5432" \
                "      image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.8.0" "      name: cloud-sql-proxy"
        fi
        printf '%s\n' "    nodeName: ${NODES[$i]}" "    serviceAccountName: coditect-cloud-backend" "  status:" \
            "    phase: $POD_PHASE" "    podIP: ${POD_IPS[$i]}"
    done
    printf '%s\n' "kind: List" "metadata:" "  resourceVersion: \"\""
}

get_deployment() {
    local name="$1" out="$2"
    [[ "$name" == "$DEPLOYMENT" ]] || fail 1 "Error from server (NotFound): deployments.apps \"$name\" not found"
    local images
    images=$(fact deployed_image)
    [[ "$(fact proxy_sidecar)" == true ]] && images="$images gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.8.0"
    case "$out" in
        wide)
            local r
            r=$(ready_count)
            printf '%-16s   %-5s   %-10s   %-9s   %-3s   %-12s   %-100s   %s\n' NAME READY UP-TO-DATE AVAILABLE AGE CONTAINERS IMAGES SELECTOR
            printf '%-16s   %-5s   %-10s   %-9s   %-3s   %-12s   %-100s   %s\n' "$DEPLOYMENT" "$r/2" 2 "$r" 3d \
                "$([[ "$(fact proxy_sidecar)" == true ]] && echo backend,cloud-sql-proxy || echo backend)" "${images// /,}" "app=coditect-backend" ;;
        "")
            printf '%-16s   %-5s   %-10s   %-9s   %s\n' NAME READY UP-TO-DATE AVAILABLE AGE
            printf '%-16s   %-5s   %-10s   %-9s   %s\n' "$DEPLOYMENT" "$(ready_count)/2" 2 "$(ready_count)" 3d ;;
        'jsonpath={.spec.template.spec.containers[*].image}{"\n"}')
            printf '%s\n' "$images" ;;
        'jsonpath={range .spec.template.spec.containers[*]}{.name}{": liveness "}{.livenessProbe.httpGet.scheme}{" "}{.livenessProbe.httpGet.path}{", readiness "}{.readinessProbe.httpGet.scheme}{" "}{.readinessProbe.httpGet.path}{"\n"}{end}')
            printf 'backend: liveness %s /api/v1/health/live, readiness %s /api/v1/health/ready\n' "$(effective_scheme liveness)" "$(effective_scheme readiness)"
            [[ "$(fact proxy_sidecar)" == true ]] && printf 'cloud-sql-proxy: liveness  , readiness  \n'
            true ;;
        'jsonpath={.spec.template.spec.containers[0].livenessProbe.httpGet.scheme}{" "}{.spec.template.spec.containers[0].readinessProbe.httpGet.scheme}{"\n"}')
            printf '%s %s\n' "$(effective_scheme liveness)" "$(effective_scheme readiness)" ;;
        *) unsupported_output ;;
    esac
}

get_configmap() {
    local name="$1" out="$2" value
    [[ "$name" == "$CONFIGMAP" ]] || fail 1 "Error from server (NotFound): configmaps \"$name\" not found"
    value=$(fact configmap_allowed_hosts)
    case "$out" in
        yaml)
            printf '%s\n' "apiVersion: v1" "data:" "  DJANGO_ALLOWED_HOSTS: '${value//\'/\'\'}'" "kind: ConfigMap" "metadata:" \
                "  labels:" "    app: coditect-backend" "    environment: staging" "  name: $CONFIGMAP" "  namespace: $NAMESPACE" ;;
        'jsonpath={.data.DJANGO_ALLOWED_HOSTS}{"\n"}') printf '%s\n' "$value" ;;
        'jsonpath={.data.DJANGO_ALLOWED_HOSTS}') printf '%s' "$value" ;;
        "")
            printf '%-14s   %-4s   %s\n' NAME DATA AGE "$CONFIGMAP" 1 3d ;;
        *) unsupported_output ;;
    esac
}

secret_value() {
    case "$1" in
        db-name) fact secret_db_name ;;
        db-user) fact secret_db_user ;;
        db-host) fact secret_db_host ;;
        redis-host) fact secret_redis_host ;;
        *) return 1 ;;
    esac
}

require_secret() {
    [[ "$(fact secret_exists)" == true ]] || fail 1 "Error from server (NotFound): secrets \"$SECRET\" not found"
}

get_secret() {
    local name="$1" out="$2" key
    [[ "$name" == "$SECRET" ]] || fail 1 "Error from server (NotFound): secrets \"$name\" not found"
    require_secret
    case "$out" in
        jsonpath=\{.data.*\})
            key="${out#jsonpath=\{.data.}"
            key="${key%\}}"
            case "$key" in
                db-name | db-user | db-host | redis-host) secret_value "$key" | base64 -w0 ;;
                db-password | django-secret-key) not_simulated "$ALL_ARGS (the drill never prints secret values)" ;;
                *) ;;
            esac ;;
        "")
            printf '%-15s   %-6s   %-4s   %s\n' NAME TYPE DATA AGE "$SECRET" Opaque 6 3d ;;
        *) unsupported_output ;;
    esac
}

describe_secret() {
    [[ "$1" == "$SECRET" ]] || fail 1 "Error from server (NotFound): secrets \"$1\" not found"
    require_secret
    printf '%s\n' "Name:         $SECRET" "Namespace:    $NAMESPACE" "Labels:       <none>" "Annotations:  <none>" "" \
        "Type:  Opaque" "" "Data" "===="
    printf '%-19s %s bytes\n' "db-host:" "$(fact secret_db_host | wc -c)" "db-name:" "$(fact secret_db_name | wc -c)" \
        "db-password:" "$(fact secret_db_password_bytes)" "db-user:" "$(fact secret_db_user | wc -c)" \
        "django-secret-key:" "$(fact secret_django_secret_key_bytes)" "redis-host:" "$(fact secret_redis_host | wc -c)"
}

delete_secret() {
    if [[ "$(fact secret_exists)" != true ]]; then
        [[ "$1" == true ]] && return 0
        fail 1 "Error from server (NotFound): secrets \"$SECRET\" not found"
    fi
    set_fact secret_exists false
    printf 'secret "%s" deleted\n' "$SECRET"
}

create_secret() {
    [[ "$(fact secret_exists)" != true ]] || fail 1 "error: failed to create secret secrets \"$SECRET\" already exists"
    local lit key value seen=""
    for lit in "$@"; do
        [[ "$lit" == *=* ]] || fail 1 "error: invalid literal source $lit, expected key=value"
        key="${lit%%=*}" value="${lit#*=}"
        case "$key" in
            django-secret-key) set_fact secret_django_secret_key_bytes "$(printf '%s' "$value" | wc -c)" ;;
            db-name) set_fact secret_db_name "$value" ;;
            db-user) set_fact secret_db_user "$value" ;;
            db-password)
                set_fact secret_db_password "$(password_token "$value")"
                if lab_on; then lab_set_secret_password "$value"; fi
                set_fact secret_db_password_bytes "$(printf '%s' "$value" | wc -c)" ;;
            db-host) set_fact secret_db_host "$value" ;;
            redis-host) set_fact secret_redis_host "$value" ;;
            *) not_simulated "create secret generic ... --from-literal=$key=..." ;;
        esac
        seen="$seen $key"
    done
    for key in django-secret-key db-name db-user db-password db-host redis-host; do
        [[ " $seen " == *" $key "* ]] || not_simulated "create secret generic without --from-literal=$key (the drill's Secret needs all six keys)"
    done
    set_fact secret_exists true
    printf 'secret/%s created\n' "$SECRET"
}

# Events of the backend pods, one per line: TYPE<TAB>REASON<TAB>OBJECT<TAB>MESSAGE<TAB>MINUTES_AGO
events_list() {
    local i p ip image
    image=$(fact deployed_image)
    for i in 0 1; do
        p="${POD_NAMES[$i]}" ip="${POD_IPS[$i]}"
        printf 'Normal\tScheduled\tpod/%s\tSuccessfully assigned %s/%s to %s\t14\n' "$p" "$NAMESPACE" "$p" "${NODES[$i]}"
        printf 'Normal\tPulling\tpod/%s\tPulling image "%s"\t13\n' "$p" "$image"
        case "$POD_STAGE" in
            pull)
                printf 'Warning\tFailed\tpod/%s\t%s\t12\n' "$p" "$POD_PULL_ERROR"
                printf 'Warning\tFailed\tpod/%s\tError: ErrImagePull\t12\n' "$p"
                printf 'Normal\tBackOff\tpod/%s\tBack-off pulling image "%s"\t1\n' "$p" "$image"
                printf 'Warning\tFailed\tpod/%s\tError: ImagePullBackOff\t1\n' "$p"
                continue ;;
        esac
        printf 'Normal\tPulled\tpod/%s\tSuccessfully pulled image "%s" in 2.314s (2.314s including waiting). Image size: 187365422 bytes.\t13\n' "$p" "$image"
        case "$POD_STAGE" in
            config)
                printf 'Warning\tFailed\tpod/%s\t%s\t1\n' "$p" "$POD_CONFIG_ERROR"
                continue ;;
        esac
        printf 'Normal\tCreated\tpod/%s\tCreated container: backend\t13\n' "$p"
        printf 'Normal\tStarted\tpod/%s\tStarted container backend\t13\n' "$p"
        case "$POD_STAGE" in
            crash)
                printf 'Warning\tBackOff\tpod/%s\tBack-off restarting failed container backend in pod %s_%s(4f1c2d9e-77a0-4c1b-9a57-0c2e%s)\t1\n' "$p" "$p" "$NAMESPACE" "${ip//./}" ;;
            probes)
                [[ -n "$POD_PROBE_LIVE" ]] && printf 'Warning\tUnhealthy\tpod/%s\t%s\t1\n' "$p" "${POD_PROBE_LIVE//\{IP\}/$ip}"
                [[ -n "$POD_PROBE_READY" ]] && printf 'Warning\tUnhealthy\tpod/%s\t%s\t1\n' "$p" "${POD_PROBE_READY//\{IP\}/$ip}"
                [[ -n "$POD_PROBE_LIVE" ]] && printf 'Normal\tKilling\tpod/%s\tContainer backend failed liveness probe, will be restarted\t2\n' "$p"
                true ;;
        esac
    done
}

get_events() {
    local selector="$1" out="$2" sel want_reason="" want_object=""
    IFS=',' read -ra sels <<< "$selector"
    for sel in "${sels[@]}"; do
        case "$sel" in
            reason=*) want_reason="${sel#reason=}" ;;
            involvedObject.name=*) want_object="${sel#involvedObject.name=}" ;;
            "") ;;
            *) not_simulated "$ALL_ARGS" ;;
        esac
    done
    local rows
    rows=$(events_list | awk -F '\t' -v r="$want_reason" -v o="$want_object" '(r == "" || $2 == r) && (o == "" || $3 == "pod/" o) { print }' | sort -t $'\t' -k5,5nr -s)
    if [[ -z "$rows" ]]; then
        printf 'No resources found in %s namespace.\n' "$NAMESPACE" >&2
        return 0
    fi
    local -a names=() fields=()
    if [[ -z "$out" ]]; then
        names=("LAST SEEN" TYPE REASON OBJECT MESSAGE); fields=(age type reason object message)
    elif [[ "$out" == custom-columns=* ]]; then
        local spec col
        IFS=',' read -ra spec <<< "${out#custom-columns=}"
        for col in "${spec[@]}"; do
            names+=("${col%%:*}")
            case "${col#*:}" in
                .lastTimestamp) fields+=(timestamp) ;;
                .message) fields+=(message) ;;
                .involvedObject.name) fields+=(objname) ;;
                .reason) fields+=(reason) ;;
                .type) fields+=(type) ;;
                *) not_simulated "$ALL_ARGS" ;;
            esac
        done
    else
        unsupported_output
    fi
    local table="" line type reason object message age k v
    table=$(IFS=$'\t'; printf '%s' "${names[*]}")
    while IFS=$'\t' read -r type reason object message age; do
        line=""
        for k in "${fields[@]}"; do
            case "$k" in
                age) v="${age}m" ;;
                type) v="$type" ;;
                reason) v="$reason" ;;
                object) v="$object" ;;
                objname) v="${object#pod/}" ;;
                message) v="$message" ;;
                timestamp) v=$(minutes_ago "$age") ;;
            esac
            line="${line:+$line$'\t'}$v"
        done
        table+=$'\n'"$line"
    done <<< "$rows"
    # Columns as kubectl aligns them: each padded to its widest cell, three spaces apart; the last unpadded.
    printf '%s\n' "$table" | awk -F '\t' '
        { for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } n = NF; rows = NR }
        END { for (r = 1; r <= rows; r++) { s = ""; for (i = 1; i < n; i++) s = s sprintf("%-" w[i] "s   ", cell[r, i]); print s cell[r, n] } }'
}

get_nodes() {
    local labels="$1" out="$2" i
    [[ -z "$out" ]] || unsupported_output
    case "$labels" in
        "") printf '%-48s   %-6s   %-6s   %-3s   %s\n' NAME STATUS ROLES AGE VERSION
            for i in 0 1; do printf '%-48s   %-6s   %-6s   %-3s   %s\n' "${NODES[$i]}" Ready "<none>" 41d v1.30.5-gke.1014001; done ;;
        kubernetes.io/arch)
            printf '%-48s   %-6s   %-6s   %-3s   %-19s   %s\n' NAME STATUS ROLES AGE VERSION ARCH
            for i in 0 1; do printf '%-48s   %-6s   %-6s   %-3s   %-19s   %s\n' "${NODES[$i]}" Ready "<none>" 41d v1.30.5-gke.1014001 amd64; done ;;
        *) not_simulated "$ALL_ARGS" ;;
    esac
}

get_service() {
    local name="$1" out="$2"
    [[ -z "$out" ]] || unsupported_output
    [[ "$name" == "$SERVICE" ]] || fail 1 "Error from server (NotFound): services \"$name\" not found"
    printf '%-24s   %-12s   %-11s   %-12s   %-12s   %s\n' NAME TYPE CLUSTER-IP EXTERNAL-IP "PORT(S)" AGE
    printf '%-24s   %-12s   %-11s   %-12s   %-12s   %s\n' "service/$SERVICE" LoadBalancer 10.60.14.7 "$(fact load_balancer_ip)" 80:30412/TCP 3d
}

get_endpoints() {
    local name="$1" out="$2" eps="<none>"
    [[ -z "$out" ]] || unsupported_output
    [[ "$name" == "$SERVICE" ]] || fail 1 "Error from server (NotFound): endpoints \"$name\" not found"
    [[ "$POD_READY" == true ]] && eps="${POD_IPS[0]}:8000,${POD_IPS[1]}:8000"
    printf '%-26s   %-31s   %s\n' NAME ENDPOINTS AGE "endpoints/$SERVICE" "$eps" 3d
}

probe_line() {
    local kind="$1" path="$2" delay="$3" timeout="$4" period="$5" scheme
    scheme=$(effective_scheme "$kind")
    printf 'http-get %s://:http%s delay=%ss timeout=%ss period=%ss #success=1 #failure=3' "${scheme,,}" "$path" "$delay" "$timeout" "$period"
}

describe_pods() {
    local i p ip image state
    image=$(fact deployed_image)
    for i in 0 1; do
        p="${POD_NAMES[$i]}" ip="${POD_IPS[$i]}"
        ((i)) && echo
        printf '%s\n' "Name:             $p" "Namespace:        $NAMESPACE" "Priority:         0" \
            "Service Account:  coditect-cloud-backend" "Node:             ${NODES[$i]}/10.128.0.1$((i + 2))" \
            "Start Time:       $(date -u -d '-14 min' '+%a, %d %b %Y %H:%M:%S +0000')" \
            "Labels:           app=coditect-backend" "                  environment=staging" \
            "                  pod-template-hash=$(pod_template_hash)" "                  version=v1.0.0" \
            "Status:           $POD_PHASE" "IP:               $ip" "Controlled By:    ReplicaSet/coditect-backend-$(pod_template_hash)" \
            "Containers:" "  backend:"
        printf '%s\n' "    Image:          $image"
        case "$POD_STAGE" in
            pull) printf '%s\n' "    Image ID:       " "    Port:           8000/TCP" "    State:          Waiting" "      Reason:       ImagePullBackOff" "    Ready:          False" "    Restart Count:  0" ;;
            config) printf '%s\n' "    Image ID:       ${image%:*}@$(fact registry_image_digest)" "    Port:           8000/TCP" "    State:          Waiting" "      Reason:       CreateContainerConfigError" "    Ready:          False" "    Restart Count:  0" ;;
            crash) printf '%s\n' "    Image ID:       ${image%:*}@$(fact registry_image_digest)" "    Port:           8000/TCP" "    State:          Waiting" "      Reason:       CrashLoopBackOff" \
                "    Last State:     Terminated" "      Reason:       Error" "      Exit Code:    1" "    Ready:          False" "    Restart Count:  $POD_RESTARTS" ;;
            *) state=True
                [[ "$POD_READY" == true ]] || state=False
                printf '%s\n' "    Image ID:       ${image%:*}@$(fact registry_image_digest)" "    Port:           8000/TCP" "    State:          Running" \
                    "      Started:      $(date -u -d '-3 min' '+%a, %d %b %Y %H:%M:%S +0000')" "    Ready:          $state" "    Restart Count:  $POD_RESTARTS" ;;
        esac
        printf '%s\n' "    Limits:" "      cpu:     500m" "      memory:  512Mi" "    Requests:" "      cpu:      250m" "      memory:   256Mi" \
            "    Liveness:   $(probe_line liveness /api/v1/health/live 30 5 10)" \
            "    Readiness:  $(probe_line readiness /api/v1/health/ready 20 3 5)" \
            "    Environment:" \
            "      DJANGO_SETTINGS_MODULE:  license_platform.settings.production" \
            "      DJANGO_SECRET_KEY:       <set to the key 'django-secret-key' in secret '$SECRET'>  Optional: false" \
            "      DB_NAME:                 <set to the key 'db-name' in secret '$SECRET'>            Optional: false" \
            "      DB_USER:                 <set to the key 'db-user' in secret '$SECRET'>            Optional: false" \
            "      DB_PASSWORD:             <set to the key 'db-password' in secret '$SECRET'>        Optional: false"
        if [[ "$(fact db_host_env)" == secret ]]; then
            printf '%s\n' "      DB_HOST:                 <set to the key 'db-host' in secret '$SECRET'>            Optional: false"
        else
            printf '%s\n' "      DB_HOST:                 $(fact db_host_env)"
        fi
        printf '%s\n' "      DB_PORT:                 5432" "      REDIS_HOST:              <set to the key 'redis-host' in secret '$SECRET'>         Optional: false" \
            "      REDIS_PORT:              6379" "      ENVIRONMENT:             staging"
        [[ "$(fact allowed_hosts_env)" == configmap ]] && printf '%s\n' "      DJANGO_ALLOWED_HOSTS:    <set to the key 'DJANGO_ALLOWED_HOSTS' of config map '$CONFIGMAP'>  Optional: false"
        printf '%s\n' "    Mounts:" "      /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-x2f9k (ro)"
        if [[ "$(fact proxy_sidecar)" == true ]]; then
            printf '%s\n' "  cloud-sql-proxy:" "    Image:          gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.8.0" "    Port:           <none>" \
                "    Args:" "      --private-ip" "      coditect-cloud-infra:us-central1:coditect-db" "      --port=5432" \
                "    State:          Running" "    Ready:          True" "    Restart Count:  0"
        fi
        local ready=True
        [[ "$POD_READY" == true ]] || ready=False
        printf '%s\n' "Conditions:" "  Type              Status" "  Initialized       True" "  Ready             $ready" \
            "  ContainersReady   $ready" "  PodScheduled      True" "QoS Class:        Burstable" \
            "Node-Selectors:   <none>" "Tolerations:      node.kubernetes.io/not-ready:NoExecute op=Exists for 300s" \
            "                  node.kubernetes.io/unreachable:NoExecute op=Exists for 300s" "Events:"
        events_list | awk -F '\t' -v p="pod/$p" '
            $3 == p { n++; t[n] = $1; r[n] = $2; m[n] = $4; a[n] = $5 "m"; f[n] = ($2 == "Scheduled" ? "default-scheduler" : "kubelet") }
            END {
                printf "  %-8s %-10s %-5s %-17s %s\n", "Type", "Reason", "Age", "From", "Message"
                printf "  %-8s %-10s %-5s %-17s %s\n", "----", "------", "----", "----", "-------"
                for (i = 1; i <= n; i++) printf "  %-8s %-10s %-5s %-17s %s\n", t[i], r[i], a[i], f[i], m[i]
            }'
    done
}

pod_logs() {
    local container="$1" previous="$2" tail_n="$3" follow="$4" i p out
    for i in 0 1; do
        p="${POD_NAMES[$i]}"
        if [[ "$container" == cloud-sql-proxy ]]; then
            [[ "$(fact proxy_sidecar)" == true ]] || fail 1 "error: container cloud-sql-proxy is not valid for pod $p"
            out=$(proxy_log)
        elif [[ "$container" != backend ]]; then
            fail 1 "error: container $container is not valid for pod $p"
        else
            case "$POD_STAGE" in
                pull) fail 1 "Error from server (BadRequest): container \"backend\" in pod \"$p\" is waiting to start: trying and failing to pull image" ;;
                config) fail 1 "Error from server (BadRequest): container \"backend\" in pod \"$p\" is waiting to start: CreateContainerConfigError" ;;
                crash) out="$POD_CRASH_LOG" ;;
                *)
                    if [[ "$previous" == true && "$POD_RESTARTS" == 0 ]]; then
                        fail 1 "Error from server (BadRequest): previous terminated container \"backend\" in pod \"$p\" not found"
                    fi
                    out=$(app_log "${POD_IPS[$i]}") ;;
            esac
        fi
        if [[ -n "$tail_n" && "$tail_n" != -1 ]]; then
            [[ "$tail_n" =~ ^[0-9]+$ ]] || fail 1 "error: invalid argument \"$tail_n\" for \"--tail\" flag"
            printf '%s\n' "$out" | tail -n "$tail_n"
        else
            printf '%s\n' "$out"
        fi
    done
    if [[ "$follow" == true ]]; then
        # Follow: the probes keep calling; a line every few seconds until the user stops it.
        while sleep 5; do
            derive_pods
            [[ "$POD_STAGE" == healthy || "$POD_STAGE" == probes ]] || continue
            app_log "${POD_IPS[0]}" | tail -n 1
        done
    fi
}

sql_table() {
    # psql's aligned output for one row: sql_table "col1|col2" "val1|val2"
    awk -v h="$1" -v v="$2" 'BEGIN {
        nh = split(h, H, "|"); split(v, V, "|")
        for (i = 1; i <= nh; i++) { w[i] = length(H[i]); if (length(V[i]) > w[i]) w[i] = length(V[i]) }
        s = ""; d = ""; r = ""
        for (i = 1; i <= nh; i++) {
            pad = w[i] - length(H[i]); left = int(pad / 2)
            s = s (i > 1 ? "|" : "") " " sprintf("%" left "s", "") H[i] sprintf("%" (pad - left) "s", "") " "
            d = d (i > 1 ? "+" : "") sprintf("%" (w[i] + 2) "s", ""); r = r (i > 1 ? "|" : "") " " sprintf("%-" w[i] "s", V[i]) " "
        }
        gsub(/ /, "-", d); sub(/ +$/, "", s); sub(/ +$/, "", r)
        print s; print d; print r; print "(1 row)"; print ""
    }'
}

pod_exec() {
    local container="$1"; shift
    [[ "$container" == backend ]] || not_simulated "$ALL_ARGS"
    case "$POD_STAGE" in
        pull | config | crash) fail 1 "error: unable to upgrade connection: container not found (\"backend\")" ;;
    esac
    local cmd="$*"
    case "$cmd" in
        "uname -m") echo x86_64 ;;
        whoami) echo django ;;
        id) echo "uid=1000(django) gid=1000(django) groups=1000(django)" ;;
        'python -c import django; print(django.__version__)') echo 5.2.8 ;;
        "python --version") echo "Python 3.12.12" ;;
        "printenv DJANGO_ALLOWED_HOSTS")
            if [[ "$(fact allowed_hosts_env)" == configmap ]]; then printf '%s\n' "$(fact pods_allowed_hosts)"; else exit 1; fi ;;
        "python manage.py check" | "python manage.py check --database default")
            # On PostgreSQL, `check --database` opens no connection: it says this whatever the password.
            echo "System check identified no issues (0 silenced)." ;;
        "python manage.py shell --verbosity 0 -c from django.db import connection; connection.ensure_connection(); print('database connection OK:', connection.settings_dict['USER'], '@', connection.settings_dict['NAME'])")
            # A running pod connected at start-up (its entrypoint runs the migrations), with these settings.
            printf 'database connection OK: %s @ %s\n' "$(fact secret_db_user)" "$(fact secret_db_name)" ;;
        "python manage.py showmigrations")
            # The entrypoint applies every migration before Gunicorn starts, so a running pod has them all.
            printf '%s\n' admin " [X] 0001_initial" " [X] 0002_logentry_remove_auto_add" " [X] 0003_logentry_add_action_flag_choices" \
                auth " [X] 0001_initial" " [X] 0002_alter_permission_name_max_length" " [X] 0003_alter_user_email_max_length" \
                " [X] 0004_alter_user_username_opts" " [X] 0005_alter_user_last_login_null" " [X] 0006_require_contenttypes_0002" \
                " [X] 0007_alter_validators_add_error_messages" " [X] 0008_alter_user_username_max_length" \
                " [X] 0009_alter_user_last_name_max_length" " [X] 0010_alter_group_name_max_length" \
                " [X] 0011_update_proxy_permissions" " [X] 0012_alter_user_first_name_max_length" \
                contenttypes " [X] 0001_initial" " [X] 0002_remove_content_type_name" \
                licenses " [X] 0001_initial" " [X] 0002_license_activation_limits" sessions " [X] 0001_initial" ;;
        "python manage.py migrate --noinput")
            printf '%s\n' "Operations to perform:" "  Apply all migrations: admin, auth, contenttypes, licenses, sessions" "Running migrations:" "  No migrations to apply." ;;
        "python manage.py dbshell -- -c SELECT version();")
            sql_table "version" "PostgreSQL 15.10 on x86_64-pc-linux-gnu, compiled by Debian clang version 12.0.1, 64-bit" ;;
        "python manage.py dbshell -- -c SELECT current_user, current_database();")
            sql_table "current_user|current_database" "$(fact secret_db_user)|$(fact secret_db_name)" ;;
        "python manage.py dbshell -- -c SELECT ssl_is_used();")
            # Without the sslinfo extension, as on a new Cloud SQL database.
            printf '%s\n' "ERROR:  function ssl_is_used() does not exist" "LINE 1: SELECT ssl_is_used();" "               ^" \
                "HINT:  No function matches the given name and argument types. You might need to add explicit type casts." >&2
            fail 1 "CommandError: \"psql -U $(fact secret_db_user) -h $(fact secret_db_host) -p 5432 -c SELECT ssl_is_used(); $(fact secret_db_name)\" returned non-zero exit status 1." ;;
        "python manage.py dbshell -- -c SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid();")
            # The server sees the proxy's connection, which is encrypted.
            if [[ "$POD_DB_VIA" == proxy ]]; then sql_table ssl t; else sql_table ssl f; fi ;;
        curl\ *) SIM_CURL_FROM=pod "$SIM_DIR/curl" "${@:2}" ;;
        *) not_simulated "$ALL_ARGS" ;;
    esac
}

rollout_status() {
    if [[ "$POD_READY" == true ]]; then
        printf 'deployment "%s" successfully rolled out\n' "$DEPLOYMENT"
    else
        printf 'Waiting for deployment "%s" rollout to finish: 0 of 2 updated replicas are available...\n' "$DEPLOYMENT"
        fail 1 "error: deployment \"$DEPLOYMENT\" exceeded its progress deadline"
    fi
}

# New pods: they read the ConfigMap's current value when they start.
new_pods() {
    set_fact deployment_generation $(($(fact deployment_generation) + 1))
    set_fact pods_allowed_hosts "$(fact configmap_allowed_hosts)"
}

rollout_restart() {
    new_pods
    printf 'deployment.apps/%s restarted\n' "$DEPLOYMENT"
}

apply_file() {
    local given="$1" file flat kind name fns
    [[ -e "$given" ]] || fail 1 "error: the path \"$given\" does not exist"
    file=$(repo_file "$given") || not_simulated "apply -f $given (the drill's manifests are under \$BACKEND_REPO: $BACKEND_REPO)"
    flat=$(flatten_yaml "$file")
    kind=$(flat_get kind <<< "$flat")
    name=$(flat_get metadata.name <<< "$flat")
    fns=$(flat_get metadata.namespace <<< "$flat")
    if [[ -z "$kind" || -z "$(flat_get apiVersion <<< "$flat")" ]]; then
        fail 1 "error: error validating \"$given\": error validating data: [apiVersion not set, kind not set]; if you choose to ignore these errors, turn validation off with --validate=false"
    fi
    fns="${fns:-$ns}"
    [[ "$fns" == "$NAMESPACE" ]] || fail 1 "Error from server (NotFound): error when creating \"$given\": namespaces \"$fns\" not found"
    case "$kind" in
        Deployment)
            [[ "$name" == "$DEPLOYMENT" ]] || not_simulated "apply -f $given (a Deployment other than $DEPLOYMENT)"
            apply_deployment "$flat" ;;
        ConfigMap)
            [[ "$name" == "$CONFIGMAP" ]] || not_simulated "apply -f $given (a ConfigMap other than $CONFIGMAP)"
            local value
            value=$(flat_get data.DJANGO_ALLOWED_HOSTS <<< "$flat")
            if [[ "$value" == "$(fact configmap_allowed_hosts)" ]]; then
                printf 'configmap/%s unchanged\n' "$CONFIGMAP"
            else
                set_fact configmap_allowed_hosts "$value"
                printf 'configmap/%s configured\n' "$CONFIGMAP"
            fi ;;
        *) not_simulated "apply -f $given (kind $kind)" ;;
    esac
}

# How many items a flattened sequence has: count_items FLAT "path.to.seq["
count_items() {
    awk -F '\t' -v p="$2" 'index($1, p) == 1 { s = substr($1, length(p) + 1); sub(/\].*/, "", s); if (s + 1 > n) n = s + 1 } END { print n + 0 }' <<< "$1"
}

# Whether some value under a flattened path prefix contains a text: has_under FLAT PREFIX TEXT
has_under() {
    awk -F '\t' -v p="$2" -v t="$3" 'index($1, p) == 1 && index($2, t) { f = 1 } END { exit !f }' <<< "$1"
}

apply_deployment() {
    local flat="$1" c="" i n base
    # The containers: the backend one by name, and a Cloud SQL proxy sidecar if there is one.
    local proxy=false
    n=$(count_items "$flat" "spec.template.spec.containers[")
    for ((i = 0; i < n; i++)); do
        base="spec.template.spec.containers[$i]"
        local cname cimage
        cname=$(flat_get "$base.name" <<< "$flat")
        cimage=$(flat_get "$base.image" <<< "$flat")
        if [[ "$cname" == "$CONTAINER" ]]; then c="$base"; fi
        if [[ "$cimage" == *cloud-sql-proxy* ]] && has_under "$flat" "$base.args[" "coditect-cloud-infra:us-central1:coditect-db"; then
            proxy=true
        fi
    done
    [[ -n "$c" ]] || fail 1 "The Deployment \"$DEPLOYMENT\" is invalid: spec.template.spec.containers: the drill needs a container named \"$CONTAINER\""
    local image live ready live_host="" ready_host="" dbhost=secret hosts_env=none k v
    image=$(flat_get "$c.image" <<< "$flat")
    live=$(flat_get "$c.livenessProbe.httpGet.scheme" <<< "$flat")
    ready=$(flat_get "$c.readinessProbe.httpGet.scheme" <<< "$flat")
    for probe in liveness readiness; do
        local idx
        idx=$(awk -F '\t' -v p="$c.${probe}Probe.httpGet.httpHeaders[" '
            index($1, p) == 1 && $1 ~ /\]\.name$/ && tolower($2) == "host" { s = substr($1, length(p) + 1); sub(/\].*/, "", s); print s; exit }' <<< "$flat")
        if [[ -n "$idx" ]]; then
            v=$(flat_get "$c.${probe}Probe.httpGet.httpHeaders[$idx].value" <<< "$flat")
            if [[ $probe == liveness ]]; then live_host="$v"; else ready_host="$v"; fi
        fi
    done
    # Environment: DB_HOST and DJANGO_ALLOWED_HOSTS.
    local m
    m=$(count_items "$flat" "$c.env[")
    for ((i = 0; i < m; i++)); do
        k=$(flat_get "$c.env[$i].name" <<< "$flat")
        case "$k" in
            DB_HOST)
                v=$(flat_get "$c.env[$i].value" <<< "$flat")
                if [[ -n "$v" ]]; then dbhost="$v"
                elif [[ "$(flat_get "$c.env[$i].valueFrom.secretKeyRef.key" <<< "$flat")" == db-host ]]; then dbhost=secret
                fi ;;
            DJANGO_ALLOWED_HOSTS)
                if [[ "$(flat_get "$c.env[$i].valueFrom.configMapKeyRef.name" <<< "$flat")" == "$CONFIGMAP" &&
                    "$(flat_get "$c.env[$i].valueFrom.configMapKeyRef.key" <<< "$flat")" == DJANGO_ALLOWED_HOSTS ]]; then
                    hosts_env=configmap
                fi ;;
        esac
    done
    if awk -F '\t' -v p="$c.envFrom[" -v v="$CONFIGMAP" 'index($1, p) == 1 && $1 ~ /\]\.configMapRef\.name$/ && $2 == v { f = 1 } END { exit !f }' <<< "$flat"; then hosts_env=configmap; fi
    local template
    template=$(grep '^spec\.template' <<< "$flat" | sha256sum | cut -c1-16)

    local changed=false
    check() { if [[ "$(fact "$1")" != "$2" ]]; then changed=true; set_fact "$1" "$2"; fi; }
    local stored=""
    [[ -f "$RUNBOOK_DRILL_STATE/deployment_template" ]] && stored=$(cat "$RUNBOOK_DRILL_STATE/deployment_template")
    check deployed_image "$image"
    check liveness_scheme "$live"
    check readiness_scheme "$ready"
    check liveness_host_header "$live_host"
    check readiness_host_header "$ready_host"
    check proxy_sidecar "$proxy"
    check db_host_env "$dbhost"
    check allowed_hosts_env "$hosts_env"
    [[ -n "$stored" && "$stored" != "$template" ]] && changed=true
    set_fact deployment_template "$template"
    if [[ "$changed" == true ]]; then
        new_pods
        printf 'deployment.apps/%s configured\n' "$DEPLOYMENT"
    else
        printf 'deployment.apps/%s unchanged\n' "$DEPLOYMENT"
    fi
}
