# Shared helpers for the built-in buildpacks (sourced, not executed).
indent() { sed -u 's/^/       /'; }
topic() { echo "-----> $*"; }
# Exports the app's config vars from ENV_DIR, except those that would break the build itself.
export_env_dir() {
  local env_dir=$1
  [ -d "$env_dir" ] || return 0
  local f name
  for f in "$env_dir"/*; do
    [ -f "$f" ] || continue
    name=$(basename "$f")
    case "$name" in
      PATH|GIT_DIR|CPATH|CPPATH|LD_PRELOAD|LIBRARY_PATH|LD_LIBRARY_PATH|HOME|BUILDPACK_DIR) continue ;;
    esac
    [[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
    export "$name=$(cat "$f")"
  done
}
