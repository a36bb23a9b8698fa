#!/bin/sh
# The start of the `kafka` container of docker-compose.yml (image apache/kafka, which has
# Kafka in /opt/kafka and its data volume at /var/lib/kafka/data; compose runs this script in
# place of the image's own /etc/kafka/docker/run, whose storage format cannot add a SCRAM user).
# The same broker as ./pratikriya up starts (ops/stack/kafka.py), with logins:
#
#   CLIENT      kafka:9092       the other containers         SASL_PLAINTEXT, SCRAM-SHA-512
#   HOST        localhost:9092   programs on the Docker host  SASL_PLAINTEXT, SCRAM-SHA-512
#               (the container's 29092, published on 127.0.0.1:9092)
#   CONTROLLER  kafka:9093       the broker itself only       SASL_PLAINTEXT, PLAIN
#
# The controller port answers admin requests too (--bootstrap-controller), so it lets in only
# the user `controller` (KAFKA_CONTROLLER_PASSWORD, known to this container alone). No
# listener lets a client in without a login, and no ACL means no access. The users `admin`
# (KAFKA_ADMIN_PASSWORD: its SCRAM credential is written when the storage is formatted, so
# that something can log in at all) and `controller` are super users. The services' users
# and their ACLs are set by the setup container (ops/stack/kafka_users.py).
#
# Writes, readable by this container's user only: $conf/pratikriya.properties (the broker's,
# with its logins) and $conf/pratikriya-admin.properties (the admin's client login, for the
# healthcheck and for `docker compose exec kafka /opt/kafka/bin/kafka-topics.sh
# --bootstrap-server kafka:9092 --command-config /opt/kafka/config/pratikriya-admin.properties`).
#
# Settings (the defaults are the container's): CLUSTER_ID, KAFKA_ADMIN_PASSWORD and
# KAFKA_CONTROLLER_PASSWORD (required); PRATIKRIYA_KAFKA_HOME (/opt/kafka),
# PRATIKRIYA_KAFKA_CONF (/opt/kafka/config), PRATIKRIYA_KAFKA_DATA (/var/lib/kafka/data),
# PRATIKRIYA_KAFKA_NAME (kafka: the containers' name for it), PRATIKRIYA_KAFKA_LISTEN (empty:
# every interface of the container), PRATIKRIYA_KAFKA_PORTS ("9092 29092 9093": client, host
# and controller ports), PRATIKRIYA_KAFKA_HOST_ADDRESS (localhost:9092: the host listener's
# advertised address). tests/integration/test_compose_kafka.py runs it on Kafka's jars.
# A cluster (docker-compose.yml's profile `cluster`): PRATIKRIYA_KAFKA_NODE_ID (1),
# PRATIKRIYA_KAFKA_VOTERS (1@<name>:<controller port>: every node's id@name:port) and
# PRATIKRIYA_KAFKA_REPLICATION (1; 3: the topics, the internal ones too, on three nodes with
# min.insync.replicas 2, as ./pratikriya up --brokers 3 does, ops/stack/kafka.py).
set -eu

fail() {
    echo "kafka-start: $*" >&2
    exit 64
}

# A password goes into a JAAS line between double quotes: URL-safe characters only.
secret() {
    eval "value=\${$1:-}"
    [ -n "$value" ] || fail "$1 is not set (.env next to docker-compose.yml; see deploy/docker/README.md)"
    [ "${#value}" -ge 16 ] || fail "$1 must be at least 16 characters"
    case "$value" in
        *[!A-Za-z0-9_.~-]*) fail "$1 may have only letters, digits and _ . ~ -" ;;
    esac
    printf '%s' "$value"
}

admin_password=$(secret KAFKA_ADMIN_PASSWORD)
controller_password=$(secret KAFKA_CONTROLLER_PASSWORD)
: "${CLUSTER_ID:?CLUSTER_ID is not set}"

home=${PRATIKRIYA_KAFKA_HOME:-/opt/kafka}
conf=${PRATIKRIYA_KAFKA_CONF:-/opt/kafka/config}
data=${PRATIKRIYA_KAFKA_DATA:-/var/lib/kafka/data}
name=${PRATIKRIYA_KAFKA_NAME:-kafka}
listen=${PRATIKRIYA_KAFKA_LISTEN:-}
host_address=${PRATIKRIYA_KAFKA_HOST_ADDRESS:-localhost:9092}
# shellcheck disable=SC2086  # three words
set -- ${PRATIKRIYA_KAFKA_PORTS:-9092 29092 9093}
[ "$#" -eq 3 ] || fail "PRATIKRIYA_KAFKA_PORTS must be three ports: client, host, controller"
client_port=$1 host_port=$2 controller_port=$3
node_id=${PRATIKRIYA_KAFKA_NODE_ID:-1}
voters=${PRATIKRIYA_KAFKA_VOTERS:-$node_id@$name:$controller_port}
replication=${PRATIKRIYA_KAFKA_REPLICATION:-1}
case "$replication" in
    1) min_isr=1 ;;
    3) min_isr=2 ;;
    *) fail "PRATIKRIYA_KAFKA_REPLICATION must be 1 or 3" ;;
esac

scram="org.apache.kafka.common.security.scram.ScramLoginModule required"
scram="$scram username=\"admin\" password=\"$admin_password\";"
plain="org.apache.kafka.common.security.plain.PlainLoginModule required"
plain="$plain username=\"controller\" password=\"$controller_password\""
plain="$plain user_controller=\"$controller_password\";"

umask 077
mkdir -p "$conf" "$data"
props="$conf/pratikriya.properties"
cat > "$props" <<EOF
# Written by deploy/docker/kafka-start.sh at every start of the container; edit that script.
process.roles=broker,controller
node.id=$node_id
controller.quorum.voters=$voters
listeners=CLIENT://$listen:$client_port,HOST://$listen:$host_port,CONTROLLER://$listen:$controller_port
advertised.listeners=CLIENT://$name:$client_port,HOST://$host_address
controller.listener.names=CONTROLLER
inter.broker.listener.name=CLIENT
listener.security.protocol.map=CLIENT:SASL_PLAINTEXT,HOST:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.client.scram-sha-512.sasl.jaas.config=$scram
listener.name.host.scram-sha-512.sasl.jaas.config=$scram
listener.name.controller.sasl.enabled.mechanisms=PLAIN
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.plain.sasl.jaas.config=$plain
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:admin;User:controller
allow.everyone.if.no.acl.found=false
log.dirs=$data
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=$replication
transaction.state.log.replication.factor=$replication
transaction.state.log.min.isr=$min_isr
share.coordinator.state.topic.replication.factor=$replication
share.coordinator.state.topic.min.isr=$min_isr
group.initial.rebalance.delay.ms=0
EOF
if [ "$replication" -gt 1 ]; then
    cat >> "$props" <<EOF
default.replication.factor=$replication
min.insync.replicas=$min_isr
unclean.leader.election.enable=false
EOF
fi

cat > "$conf/pratikriya-admin.properties" <<EOF
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=$scram
EOF

# Format the storage once, with the admin's SCRAM credential; a stamp says it was done so.
stamp="$data/pratikriya-sasl"
if [ -f "$data/meta.properties" ]; then
    [ -f "$stamp" ] || fail "the volume's Kafka storage was formatted without logins (by an earlier
docker-compose.yml), so it has no admin user. Let analytics-consumer read what is left on
feedback.submitted (docker compose exec ops python -m ops.cli lag), then: docker compose down,
docker volume rm pratikriya_kafka-data, docker compose up -d (setup announces the stations again)."
else
    "$home/bin/kafka-storage.sh" format -t "$CLUSTER_ID" -c "$props" --ignore-formatted \
        --add-scram "SCRAM-SHA-512=[name=admin,password=$admin_password]" > /dev/null
    echo "SCRAM-SHA-512 admin" > "$stamp"
    echo "kafka-start: storage formatted (cluster $CLUSTER_ID, user admin)"
fi

exec "$home/bin/kafka-server-start.sh" "$props"
