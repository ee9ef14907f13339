# Shared by tools/test, tools/demo and tools/bench: install what a fresh Debian machine
# lacks, then let the caller build. Sourced, not run.

SIGIL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export SIGIL_ROOT

# Debian packages the build and the tests need: OpenSSL for the library, GnuTLS and
# nettle (with GMP) for the independent cross-checks, SQLite for the key holder's store,
# the CLIs for the demo and benchmarks, PostgreSQL for the shared store's tests (issue 11).
SIGIL_DEBIAN_PACKAGES=(pkg-config openssl libssl-dev libgnutls28-dev nettle-dev libgmp-dev gnutls-bin time gcc python3 libsqlite3-dev postgresql)

sigil_log() { printf '==> %s\n' "$*" >&2; }

sigil_as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

sigil_install_debian_packages() {
    local missing=()
    for package in "${SIGIL_DEBIAN_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        sigil_log "installing Debian packages: ${missing[*]}"
        sigil_as_root apt-get update -qq
        sigil_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

sigil_check_swift() {
    if ! command -v swift >/dev/null 2>&1; then
        if [ -x /opt/swift/usr/bin/swift ]; then
            export PATH="/opt/swift/usr/bin:$PATH"
        else
            echo "Swift 6 is needed and is not packaged by Debian: install a toolchain from swift.org, then run this again." >&2
            exit 2
        fi
    fi
}

sigil_setup() {
    sigil_install_debian_packages
    sigil_check_swift
    cd "$SIGIL_ROOT"
}
