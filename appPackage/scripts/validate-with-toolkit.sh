#!/usr/bin/env bash
# Second opinion on the app package from Microsoft's own tool: builds the package (`npm run package`, same
# arguments: --env NAME / --env-file PATH) and validates its manifest with the Microsoft 365 Agents Toolkit CLI,
# which carries Microsoft's schemas and works offline for this check. The CLI is large (about 450 MB), so it is
# installed once into a cache directory instead of the project's dependencies.
#
# What it cannot do offline: `atk validate --package-file` (the package rules) signs in to the Teams Developer
# Portal; teamsApp/validateAppPackage in teamsapp.yml runs those rules during provision.
set -euo pipefail
cd "$(dirname "$0")/../.."

ATK_VERSION="${ATK_VERSION:-1.1.17}"
CACHE_DIR="${ATK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/switchboard-atk/$ATK_VERSION}"
ATK="$CACHE_DIR/node_modules/.bin/atk"

if [ ! -x "$ATK" ]; then
  echo "installing @microsoft/m365agentstoolkit-cli@$ATK_VERSION into $CACHE_DIR"
  mkdir -p "$CACHE_DIR"
  # --ignore-scripts: keytar's native build needs libsecret headers, and validation never touches the keychain.
  npm install --prefix "$CACHE_DIR" --ignore-scripts --no-audit --no-fund --loglevel=error \
    "@microsoft/m365agentstoolkit-cli@$ATK_VERSION"
fi

env_name=local
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  if [ "${args[$i]}" = "--env" ] && [ $((i + 1)) -lt ${#args[@]} ]; then env_name="${args[$((i + 1))]}"; fi
done

npm run --silent package -- "$@"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
unzip -q "appPackage/build/appPackage.$env_name.zip" -d "$work"
"$ATK" validate --manifest-file "$work/manifest.json" -i false --telemetry false
