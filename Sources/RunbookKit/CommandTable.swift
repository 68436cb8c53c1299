/// What the tool knows about commands: which read, which change, which need a terminal or never end.
/// The knowledge is the text below, parsed once; `CommandSafety` applies it. Kept in the source (not a
/// resource) so `runbook` stays one copied binary.
///
/// Format, one row a line (`#` starts a comment line):
///
///     PROGRAMS | WORDS | CONDITIONS | CLASS | REASON | EXAMPLE
///
/// - PROGRAMS: program names, space-separated, matched against the command word's last path component.
///   `(sql)` is one SQL statement (its words are the statement's words).
/// - WORDS: the positional words that must follow, space-separated, each a `,` list of alternatives,
///   `prefix*` or `*suffix`, any case. Empty: any. `... w` lets the words start at any positional word
///   (gcloud's verb after its command groups).
/// - CONDITIONS, all must hold: `+F,G` one of the flags is given (`--data*` a prefix); `+F=V,W` with one of
///   these values; `+F:file` with a value naming a file (not `-`, /dev/null, /dev/stdout, /dev/stderr);
///   `!F,G` none is given; `args` / `args=0` some / no argument follows the words; `args:file` an argument
///   names a file; `has=W,X` some positional word is one of these; `stdin` / `!stdin` standard input is /
///   is not given (here-document, here-string, `<`, pipe).
/// - CLASS: `read-only`, `unknown`, `interactive`, `changes`, then `terminal` (hand the terminal over) and
///   `follow` (runs until interrupted) as they apply. Or an action:
///   `runs` a wrapper: the command after the words is judged (`skip=N` positional words first, or
///   `skip=assignments`; `as=PROG` puts PROG in front; `empty=CLASS[+terminal][+follow]` when no command
///   follows; `at-least=CLASS`; `terminal`, `follow`; `bounded`: the wrapper ends what it runs).
///   `shell F,G` the shell text of flag F (or standard input) is judged; `sql F,G` the same for SQL text.
/// - REASON: follows the deciding words: "`oc patch`" + " changes cluster objects".
/// - EXAMPLE: a command this row decides (the table test runs each one).
///
/// `@ PROGRAMS | FLAGS [| words|first]` rows list the flags that take a value (so `-n ns` does not make `ns`
/// a positional word); `words`: every `-word` is one flag, never a bundle of letters (`find -delete`);
/// `first`: flags stop at the first positional word (`sudo`, `python SCRIPT -c`), as for wrappers.
/// The first row that matches decides; a program in no row is `unknown`.
struct CommandTable: Sendable {
    var rules: [CommandRule] = []
    var options: [String: CommandArguments.Options] = [:]
    /// Rows that do not parse, as "line N: message". The table test requires none.
    var errors: [String] = []
    /// Rule indices by program.
    var rulesByProgram: [String: [Int]] = [:]

    static let standard = CommandTable(text)

    static let text = #"""
        # Flags that take a value.
        @ kubectl oc | -n --namespace --context --cluster --user --kubeconfig -s --server --token --as --as-group --request-timeout -o --output -l --selector --field-selector -c --container --template -L --label-columns --sort-by --since --since-time --tail --timeout --type --image --for --replicas --limit-bytes --max-log-requests --grace-period --overrides --port --from-literal --from-file --revision --to-revision --profile --target --chunk-size --pod-running-timeout
        @ gcloud | --project --region --zone --location --format --filter --instance --account --configuration --member --role --limit --sort-by --flatten --impersonate-service-account --verbosity --database --user --password --command
        @ docker | -H --host --context --config --format --platform -e --env -v --volume -p --publish --name -w --workdir -u --user --network --entrypoint --tag --tail --since --until --builder --filter -o --output
        @ helm | -n --namespace --kube-context --kubeconfig -f --values --set --set-string --version -o --output --revision --repo --timeout
        @ git | -C -c --git-dir --work-tree --format --pretty --since --until --author -n --max-count -m --message
        @ curl | -X --request -H --header -d --data --data-raw --data-binary --data-urlencode --data-ascii --json -o --output -u --user -A --user-agent -e --referer -b --cookie -c --cookie-jar -w --write-out -T --upload-file -F --form -x --proxy -m --max-time --connect-timeout --retry --cacert --cert --key -E -r --range --resolve --url -D --dump-header --interface -K --config
        @ wget | -O --output-document -o --output-file -a --append-output -P --directory-prefix -T --timeout -t --tries -U --user-agent --header --post-data --post-file --method --body-data
        @ tail head | -n --lines -c --bytes -s --sleep-interval --pid
        @ ping ping6 | -c -i -W -w -s -I -t -l -p -Q -M
        @ sed | -e --expression -f --file -l
        @ sort | -o --output -k --key -t --field-separator -S -T
        @ journalctl | -u --unit -n --lines -p --priority -t -S --since -U --until -o --output -D -M -g --grep --user-unit
        @ sudo | -u -g -h -p -C -D -r -t -U -T | first
        @ env | -u --unset -C --chdir | first
        @ timeout | -s --signal -k --kill-after | first
        @ xargs | -I -n -P -d -E -L -s -a --arg-file --max-args --max-procs --delimiter --replace | first
        @ nice | -n --adjustment | first
        @ stdbuf | -i -o -e --input --output --error | first
        @ watch | -n --interval | first
        @ psql | -c --command -f --file -h --host -p --port -U --username -d --dbname -v --set -o --output -P -F -R -L --log-file
        @ mysql | -e --execute -h --host -u --user -P --port -D --database -S --socket
        @ redis-cli | -h -p -a -n -u --user --pass
        @ python python3 | -c -m -W -X | first
        @ bash sh zsh dash ksh | -c -o -O | first
        @ systemctl | -H --host -M -t --type --state -p --property -n --lines -o --output
        @ crictl | -r --runtime-endpoint --image-endpoint -c --config --timeout
        @ etcdctl | --endpoints --cacert --cert --key -w --write-out --user --command-timeout
        @ iptables ip6tables | -t --table
        @ top | -n -d -p -u
        @ date | -d --date -s --set -r --reference
        @ nohup time command exec | | first
        @ find | | words
        @ openssl | | words

        # Wrappers: the command they run decides.
        sudo | | +-i,-s,--login,--shell | interactive terminal | opens a root shell | sudo -i
        sudo | | | runs | without a command changes nothing | sudo kubectl delete pod web-0
        env | | | runs skip=assignments | prints the environment | env A=1 kubectl get pods
        timeout | | | runs skip=1 bounded | without a command changes nothing | timeout 30 kubectl logs -f web-0
        xargs | | | runs | runs echo | kubectl get pods -o name | xargs kubectl delete
        nohup | | | runs | without a command changes nothing | nohup kubectl get pods
        nice | | | runs | without a command prints the niceness | nice -n 10 kubectl get pods
        time | | | runs | without a command changes nothing | time kubectl get pods
        command | | +-v,-V | read-only | prints where a command is | command -v kubectl
        command | | | runs | without a command changes nothing | command kubectl get pods
        exec | | | runs | without a command only sets up redirections | exec kubectl get pods
        stdbuf | | | runs | without a command changes nothing | stdbuf -oL kubectl get events
        watch | | | runs at-least=interactive follow empty=interactive+follow | runs until interrupted | watch -n 5 kubectl get pods
        kubectl oc | exec | +-t,--tty | runs skip=1 terminal empty=interactive+terminal | without a command opens a shell | kubectl exec -it web-0 -- cat /etc/hosts
        kubectl oc | exec | | runs skip=1 empty=interactive+terminal | without a command opens a shell | kubectl exec web-0 -- cat /etc/hosts
        docker | exec | +-t,--tty | runs skip=1 terminal empty=interactive+terminal | without a command opens a shell | docker exec -it web ls /srv
        docker | exec | | runs skip=1 | without a command changes nothing | docker exec web ls /srv
        crictl | exec | +-t,--tty | runs skip=1 terminal empty=interactive+terminal | without a command opens a shell | crictl exec -it 1f2e id
        crictl | exec | | runs skip=1 | without a command changes nothing | crictl exec 1f2e id
        ip | netns exec | | runs skip=1 | without a command changes nothing | ip netns exec blue ip addr
        bash sh zsh dash ksh | | +-c | shell -c | runs shell text | bash -c 'kubectl get pods'
        bash sh zsh dash ksh | | args | runs | runs a script | bash ./deploy.sh
        bash sh zsh dash ksh | | stdin | shell | runs shell text from its input | bash <<< 'kubectl get pods'
        bash sh zsh dash ksh | | | interactive terminal | without a command opens a shell | bash
        python python3 | | +-c | unknown | runs Python code the table cannot judge | python3 -c 'import os'
        python python3 | | +-m | unknown | runs a Python module the table cannot judge | python3 -m http.server
        python python3 | | args | runs | runs a script | python manage.py showmigrations
        python python3 | | stdin | unknown | runs Python code from its input | python3 < job.py
        python python3 | | | interactive terminal | without a script opens a Python prompt | python3

        # SQL clients: the statements decide.
        psql | | +-o,--output:file | changes | writes the results to a file | psql -c 'SELECT 1' -o out.txt
        psql | | +-c,--command | sql -c,--command | runs SQL | psql -c 'SELECT 1'
        psql | | +-f,--file | unknown | runs an SQL file the table cannot read | psql -f fix.sql
        psql | | stdin | sql | runs SQL from its input | psql < dump.sql
        psql | | | interactive terminal | opens an SQL prompt | psql -h db -U app
        mysql | | +-e,--execute | sql -e,--execute | runs SQL | mysql -e 'SHOW TABLES'
        mysql | | stdin | sql | runs SQL from its input | mysql app < dump.sql
        mysql | | | interactive terminal | opens an SQL prompt | mysql -u app
        manage.py | dbshell | | runs as=psql empty=interactive+terminal | opens an SQL prompt | python manage.py dbshell -- -c 'SELECT 1'
        manage.py | shell | +-c,--command | unknown | runs Python code the table cannot judge | python manage.py shell -c 'print(1)'
        manage.py | shell | | interactive terminal | opens a Python prompt | python manage.py shell
        manage.py | showmigrations,check,diffsettings,sqlmigrate,help,version | | read-only | only reads | python manage.py check --database default
        manage.py | migrate,createsuperuser,flush,loaddata,makemigrations,collectstatic,changepassword,clearsessions | | changes | changes the database or files | python manage.py migrate --noinput
        (sql) | explain,with | has=insert,update,delete,merge,truncate,drop,alter,create | changes | changes data | EXPLAIN ANALYZE DELETE FROM jobs
        (sql) | explain | has=analyze | unknown | runs the statement it explains | EXPLAIN ANALYZE SELECT 1
        (sql) | select | has=into,pg_terminate_backend,pg_cancel_backend,pg_reload_conf,setval,nextval,pg_drop_replication_slot,pg_switch_wal,pg_rotate_logfile,set_config | changes | has effects | SELECT pg_terminate_backend(42)
        (sql) | select,show,explain,table,values,with,describe,desc,use | | read-only | only reads | SELECT current_user
        (sql) | begin,commit,rollback,start,end,abort,savepoint,release | | read-only | controls a transaction | BEGIN
        (sql) | copy | has=from | changes | loads rows into a table | COPY jobs FROM '/tmp/jobs.csv'
        (sql) | copy | has=stdout | read-only | prints rows | COPY jobs TO STDOUT
        (sql) | copy | | changes | writes a file on the server | COPY jobs TO '/tmp/jobs.csv'
        (sql) | insert,update,delete,merge,create,alter,drop,grant,revoke,truncate,vacuum,reindex,cluster,refresh,replace,rename,comment,analyze,kill,flush,optimize,load,upsert | | changes | changes data | DELETE FROM jobs
        (sql) | \copy,\o,\out,\w,\write | | changes | writes a file | \copy jobs TO 'jobs.csv'
        (sql) | \d*,\l*,\x,\conninfo,\timing,\q,\echo,\pset,\set,\c,\connect,\z,\encoding,\? | | read-only | only reads | \dt+

        # kubectl and oc.
        kubectl oc | logs | +-f,--follow | interactive follow | runs until interrupted | kubectl logs -f web-0
        kubectl oc | get,events | +-w,--watch,--watch-only | interactive follow | runs until interrupted | kubectl get pods -w
        kubectl oc | get,describe,logs,top,explain,version,api-resources,api-versions,cluster-info,events,wait,diff,kustomize,whoami,status,projects,options | | read-only | only reads cluster objects | kubectl get pods -n web
        kubectl oc | auth can-i,whoami | | read-only | only reads cluster objects | kubectl auth can-i delete pods
        kubectl oc | config view,current-context,get-contexts,get-clusters,get-users | | read-only | only reads the kubeconfig | kubectl config current-context
        kubectl oc | rollout status,history | | read-only | only reads cluster objects | kubectl rollout status deploy/web
        kubectl oc | plugin list | | read-only | only lists plugins | kubectl plugin list
        oc | adm top,node-logs | | read-only | only reads cluster objects | oc adm top nodes
        oc | project | args=0 | read-only | prints the current project | oc project
        kubectl oc | edit | | changes terminal | opens an editor on cluster objects | kubectl edit cm web
        kubectl oc | debug | | changes terminal | starts a debugging pod or node shell | oc debug node/worker-1
        kubectl oc | apply,create,delete,patch,replace,scale,autoscale,set,label,annotate,drain,cordon,uncordon,taint,cp,expose,run,certificate,adm,login,logout,project,new-app,new-project,new-build,start-build,import-image,tag,policy,secrets,process | | changes | changes cluster objects | oc patch deploy web -p '{}'
        kubectl oc | rollout restart,undo,pause,resume,latest,retry,cancel | | changes | changes cluster objects | kubectl rollout restart deploy/web
        kubectl oc | config | | changes | changes the kubeconfig | kubectl config use-context prod
        kubectl oc | attach,rsh,rsync | | interactive terminal | needs a terminal | oc rsh web-0
        kubectl oc | port-forward,proxy | | interactive follow | runs until interrupted | kubectl port-forward svc/web 8080:80

        # gcloud: the verb is the word after the command groups.
        gcloud | sql connect | | interactive terminal | opens an SQL prompt | gcloud sql connect db --user=postgres
        gcloud | compute ssh,connect-to-serial-port | | interactive terminal | opens a remote shell | gcloud compute ssh vm-1
        gcloud | cloud-shell ssh | | interactive terminal | opens a remote shell | gcloud cloud-shell ssh
        gcloud | auth configure-docker,login,activate-service-account,revoke,application-default | | changes | changes local credentials | gcloud auth configure-docker us-docker.pkg.dev
        gcloud | config set,unset,configurations | | changes | changes the local configuration | gcloud config set project demo
        gcloud | ... get-credentials | | changes | writes the kubeconfig | gcloud container clusters get-credentials c1
        gcloud | ... create,delete,update,patch,deploy,enable,disable,add-*,remove-*,set-*,import,export,resize,start,stop,reset,restart,submit,upgrade,rollback,cancel,undelete,promote-replica,failover,clone,restore,move,execute | | changes | changes cloud resources | gcloud sql instances patch db --no-require-ssl
        gcloud | ... tail | | interactive follow | runs until interrupted | gcloud logging tail
        gcloud | auth list | | read-only | only reads | gcloud auth list
        gcloud | config list | | read-only | only reads | gcloud config list
        gcloud | ... describe,list,get-iam-policy,get-value,read,get-server-config,print-access-token,print-identity-token,list-tags,list-grantable-roles,get,access | | read-only | only reads | gcloud sql instances describe db
        gcloud | info,version | | read-only | only reads | gcloud version

        # docker and container runtimes.
        docker | logs | +-f,--follow | interactive follow | runs until interrupted | docker logs -f web
        docker | compose logs | +-f,--follow | interactive follow | runs until interrupted | docker compose logs -f
        docker | stats | !--no-stream | interactive follow | runs until interrupted | docker stats
        docker | events | | interactive follow | runs until interrupted | docker events
        docker | attach | | interactive terminal | needs a terminal | docker attach web
        docker | run | +-t,--tty | changes terminal | starts a container on the terminal | docker run -it alpine sh
        docker | buildx inspect | +--bootstrap | changes | starts the builder | docker buildx inspect multiplatform --bootstrap
        docker | ps,images,inspect,version,info,logs,stats,top,port,diff,history,search | | read-only | only reads | docker ps -a
        docker | manifest inspect | | read-only | only reads | docker manifest inspect alpine
        docker | buildx imagetools inspect | | read-only | only reads | docker buildx imagetools inspect alpine
        docker | buildx ls,version,inspect,du | | read-only | only reads | docker buildx ls
        docker | container,image,volume,network,context,system ls,list,inspect,history,df,show | | read-only | only reads | docker image ls
        docker | compose ps,ls,logs,config,images,top,version | | read-only | only reads | docker compose ps
        docker | buildx build,create,use,install,rm,stop,prune,bake,uninstall | | changes | changes builders or images | docker buildx build --push .
        docker | build,buildx,push,pull,tag,rm,rmi,run,login,logout,stop,kill,restart,start,create,cp,commit,save,load,import,compose,system,image,container,volume,network,manifest,context,prune,pause,unpause,update,rename | | changes | changes images, containers or credentials | docker push web:1
        crictl | logs | +-f,--follow | interactive follow | runs until interrupted | crictl logs -f 1f2e
        crictl | ps,pods,images,img,inspect,inspecti,inspectp,logs,info,version,stats,statsp | | read-only | only reads | crictl ps -a
        crictl | pull,rm,rmi,rmp,stop,stopp,start,runp,create,run,update | | changes | changes containers or images | crictl rmi 3b1f

        # helm and git.
        helm | list,ls,status,get,history,show,template,search,version,env,lint,verify | | read-only | only reads | helm list -A
        helm | repo list | | read-only | only reads | helm repo list
        helm | install,upgrade,uninstall,delete,rollback,repo,dependency,plugin,push,pull,package,registry,test | | changes | changes releases or local files | helm rollback web 3
        git | branch | +-d,-D,--delete,-m,-M,--move,-c,-C,--copy,-f,--force | changes | changes branches | git branch -D old
        git | branch | args | changes | creates a branch | git branch topic
        git | stash list,show | | read-only | only reads | git stash list
        git | remote add,remove,rm,rename,set-url,set-head,prune | | changes | changes remotes | git remote add up url
        git | config | +--get,--get-all,--list,-l,--get-regexp | read-only | only reads | git config --get user.name
        git | tag | args | changes | creates a tag | git tag v1
        git | status,log,diff,show,branch,rev-parse,remote,ls-files,ls-remote,blame,describe,shortlog,grep,reflog,show-ref,cat-file,tag | | read-only | only reads | git log --oneline
        git | commit,push,checkout,reset,pull,merge,rebase,add,rm,mv,restore,switch,clean,cherry-pick,revert,stash,clone,init,fetch,gc,am,apply,config,submodule,worktree | | changes | changes the repository | git reset --hard

        # Services, logs and processes.
        systemctl | status,is-active,is-enabled,is-failed,list-units,list-unit-files,list-timers,show,cat,list-dependencies | | read-only | only reads | systemctl status kubelet
        systemctl | start,stop,restart,reload,enable,disable,mask,unmask,daemon-reload,kill,reset-failed,try-restart,reload-or-restart,edit,isolate,reboot,poweroff | | changes | changes services | systemctl restart kubelet
        journalctl | | +-f,--follow | interactive follow | runs until interrupted | journalctl -b -f -u kubelet.service
        journalctl | | +--vacuum-*,--rotate,--flush,--relinquish-var,--setup-keys | changes | changes the journal | journalctl --vacuum-time=2d
        journalctl | | | read-only | only reads | journalctl -u kubelet --since -1h
        dmesg | | +-w,--follow,-W,--follow-new | interactive follow | runs until interrupted | dmesg -w
        dmesg | | +-c,-C,--clear,--read-clear,-n,--console-level,-D,-E | changes | changes the kernel log | dmesg -C
        dmesg | | | read-only | only reads | dmesg -T
        kill pkill killall | | | changes | signals processes | kill 4242
        reboot shutdown poweroff halt | | | changes | stops the machine | reboot
        etcdctl | watch | | interactive follow | runs until interrupted | etcdctl watch /registry
        etcdctl | version,get,endpoint,check | | read-only | only reads | etcdctl endpoint health -w table
        etcdctl | member,alarm list | | read-only | only reads | etcdctl member list
        etcdctl | put,del,defrag,compaction,compact,txn,lease,member,alarm,snapshot,move-leader,auth,user,role,lock,elect,make-mirror,downgrade | | changes | changes etcd | etcdctl defrag
        mdadm | | +--add,-a,--remove,-r,--fail,-f,--manage,--create,-C,--assemble,-A,--grow,-G,--stop,-S,--zero-superblock,--run,-R,--readonly,-o,--readwrite,-w | changes | changes the RAID array | mdadm --manage /dev/md0 --add /dev/sdb1
        mdadm | | +--detail,-D,--examine,-E,--query,-Q,--detail-platform | read-only | only reads | mdadm --detail /dev/md0
        iptables ip6tables | | +-L,--list,-S,--list-rules | read-only | only reads | iptables -t nat -L -n
        iptables ip6tables | | | changes | changes the firewall | iptables -A INPUT -j DROP
        ip | ... add,del,delete,set,change,replace,flush,append,prepend,restore | | changes | changes the network | ip route add 10.0.0.0/8 via 10.1.1.1
        ip | | | read-only | only reads | ip addr show
        mount | | args=0 | read-only | lists the mounts | mount
        mount umount | | | changes | changes the mounts | umount /mnt
        timedatectl | set-* | | changes | changes the clock | timedatectl set-ntp true
        timedatectl | | | read-only | only reads | timedatectl status
        chronyc | makestep,settime,burst,online,offline,add,delete | | changes | changes the clock | chronyc makestep
        chronyc | | | read-only | only reads | chronyc tracking

        # HTTP.
        curl | | +-X,--request=POST,PUT,PATCH,DELETE | changes | sends a request that changes | curl -X DELETE https://api/jobs/1
        curl | | +-d,--data*,--json,-F,--form*,-T,--upload-file | changes | sends data | curl -d a=1 https://api/jobs
        curl | | +-o,--output,-c,--cookie-jar,-D,--dump-header:file | changes | writes a file | curl -o out.json https://api/jobs
        curl | | +-O,--remote-name,--remote-name-all | changes | writes a file | curl -O https://example.com/a.tgz
        curl | | | read-only | only reads | curl -s -o /dev/null -w '%{http_code}' https://api/health
        wget | | +--method=POST,PUT,PATCH,DELETE | changes | sends a request that changes | wget --method=DELETE https://api/jobs/1
        wget | | +--post-data,--post-file,--body-data,--body-file | changes | sends data | wget --post-data a=1 https://api/jobs
        wget | | +-o,--output-file,-a,--append-output,-O,--output-document:file | changes | writes a file | wget -O page.html https://example.com
        wget | | +--spider,-O,--output-document | read-only | only reads | wget -qO- https://example.com
        wget | | | changes | downloads to a file | wget https://example.com/a.tgz

        # Editors, pagers and other programs that need a terminal.
        vi vim nvim nano emacs pico ed $EDITOR $VISUAL | | | interactive terminal | opens an editor | "${EDITOR:-vi}" deploy.yaml
        less more most man $PAGER | | | interactive terminal | needs a terminal | less /var/log/syslog
        top | | +-n | read-only | prints a fixed number of screens | top -b -n 1
        top htop atop btop iotop | | | interactive terminal | needs a terminal | top
        redis-cli | ping,info,get,mget,keys,scan,ttl,pttl,type,exists,dbsize,strlen,llen,lrange,hget,hgetall,hkeys,hlen,smembers,scard,zrange,zcard,slowlog | | read-only | only reads | redis-cli -h cache INFO
        redis-cli | | args=0 | interactive terminal | opens a Redis prompt | redis-cli -h cache
        ssh telnet | | | interactive terminal | opens a remote shell | ssh admin@node-1
        su chroot nsenter | | | interactive terminal | opens a shell | chroot /host
        openssl | s_client | !stdin | interactive terminal | waits on its input | openssl s_client -connect api:443
        openssl | s_client,x509,version,verify,req,crl,ciphers,s_time,dgst,asn1parse,pkcs7 | | read-only | only reads | openssl x509 -in cert.pem -noout -dates
        ping ping6 | | +-c,-w | read-only | sends a fixed number of probes | ping -c 3 10.0.0.1
        ping ping6 | | | interactive follow | runs until interrupted | ping 10.0.0.1
        tail | | +-f,-F,--follow* | interactive follow | runs until interrupted | tail -f /var/log/syslog
        nslookup | | args=0 | interactive terminal | opens a prompt | nslookup

        # Files.
        sed | | +-i,--in-place | changes | edits files in place | sed -i 's/a/b/' deploy.yaml
        yq | | +-i,--inplace | changes | edits files in place | yq -i '.a = 1' deploy.yaml
        sort | | +-o,--output:file | changes | writes a file | sort -o out.txt in.txt
        tee | | args:file | changes | writes to a file | tee out.txt
        tee | | | read-only | only copies its input to its output | tee /dev/null
        find | | +-delete,-exec,-execdir,-ok,-okdir,-fprint,-fprint0,-fprintf,-fls | changes | changes or runs on files | find /tmp -name '*.log' -delete
        date | | +-s,--set | changes | sets the clock | date -s '2025-01-01'
        sysctl | | +-w,--write,-p,--load,--system | changes | changes kernel settings | sysctl -w net.core.somaxconn=1024
        sysctl | | has=*=* | changes | changes kernel settings | sysctl vm.swappiness=10
        hostname | | args | changes | sets the host name | hostname web-1
        rm mv cp ln mkdir rmdir touch chmod chown chgrp dd truncate install rsync scp shred unlink mkfs mkswap swapon swapoff fsck modprobe rmmod insmod useradd userdel usermod passwd crontab apt apt-get yum dnf apk pip pip3 npm | | | changes | changes files or the system | rm -rf /tmp/cache

        # Programs that only read.
        grep egrep fgrep rg awk gawk mawk sed jq yq head tail cut sort uniq wc tr base64 cat tac nl rev fold paste join column comm cmp diff expand xxd od hexdump strings md5sum sha1sum sha256sum | | | read-only | only reads and prints text | grep -c Running pods.txt
        ls stat file find du df free ps pgrep pidof lsblk blkid lscpu lsof ss netstat uptime nproc getent realpath readlink basename dirname pwd which type whereis uname id whoami groups hostname printenv date lsmod sysctl | | | read-only | only reads the system | df -h /var
        dig nslookup host | | | read-only | only queries DNS | dig +short api.example.com
        echo printf true false test [ [[ sleep seq cd export set unset read local declare typeset readonly shift exit return break continue : wait trap alias unalias hash shopt umask history | | | read-only | changes nothing outside the shell | echo done
        """#
}
