#!/usr/bin/env bash
# The namespace and the search attributes the service needs: docker-compose.yml runs this once, in the
# temporalio/admin-tools image, after the temporal service reports healthy and before api and worker start.
# Safe on every `docker compose up`: an existing namespace is kept as it is, and an attribute that is
# already there with the same type is left alone; one there with a different type fails the run.
set -euo pipefail

: "${TEMPORAL_ADDRESS:=temporal:7233}"
: "${TEMPORAL_NAMESPACE:=default}"
: "${NAMESPACE_RETENTION:=30d}" # how long Temporal keeps a closed workflow's history
export TEMPORAL_ADDRESS

# The complaints' search attributes, NAME=Type as in workflows/search-attributes.ts
# (test/docker-compose.test.ts checks that the two lists agree).
SEARCH_ATTRIBUTES=(
  ComplaintStage=Keyword
  ComplaintSeverity=Keyword
  ComplaintDepartment=Keyword
  ComplaintOwner=Int
  ComplaintBreached=Bool
)

# Runs a temporal command until it succeeds (the server may still be settling), at most 30 times.
retry() {
  local attempt
  for attempt in $(seq 1 30); do
    if "$@"; then return 0; fi
    echo "retrying in 2 s ($attempt/30): $*" >&2
    sleep 2
  done
  return 1
}

retry temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null

if temporal operator namespace describe --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1; then
  echo "namespace $TEMPORAL_NAMESPACE: already registered"
else
  if ! out=$(temporal operator namespace create --namespace "$TEMPORAL_NAMESPACE" --retention "$NAMESPACE_RETENTION" \
      --description "Customer complaints (complaint-service)" 2>&1); then
    case "$out" in
      *"already exists"*) ;; # registered meanwhile
      *) echo "$out" >&2; exit 1 ;;
    esac
  fi
  echo "namespace $TEMPORAL_NAMESPACE: registered (retention $NAMESPACE_RETENTION)"
fi

# A new namespace reaches the frontend's cache within seconds; until then it answers "not found".
retry temporal operator search-attribute list --namespace "$TEMPORAL_NAMESPACE" >/dev/null

add_search_attribute() {
  local name=$1 type=$2 out
  if out=$(temporal operator search-attribute create --namespace "$TEMPORAL_NAMESPACE" --name "$name" --type "$type" 2>&1); then
    return 0
  fi
  case "$out" in
    *"different type"*) echo "search attribute $name exists with another type than $type: $out" >&2; exit 1 ;;
    *"already exists"*) return 0 ;;
    *) echo "$out" >&2; return 1 ;;
  esac
}

for pair in "${SEARCH_ATTRIBUTES[@]}"; do
  retry add_search_attribute "${pair%%=*}" "${pair#*=}"
  echo "search attribute ${pair%%=*} (${pair#*=}): registered"
done
echo "namespace $TEMPORAL_NAMESPACE ready on $TEMPORAL_ADDRESS"
