# The Python environment for the interop tests and benchmarks: the official AWS Encryption
# SDK for Python and what it needs, the AWS CLI v1, and the reference implementations of the
# signature envelopes (tools/interop/envelopes.py), in .venv at the repository root.
# Sourced, not run; expects setup.sh to have been sourced first (SIGIL_ROOT, sigil_log, sigil_as_root).
#
#   sigil_setup_venv   create .venv and install the packages, only when something is missing
#   SIGIL_VENV_PYTHON  the venv's interpreter, once sigil_setup_venv has run
#
# Set SIGIL_PYTHON to choose the interpreter the venv is made from (default: python3).

SIGIL_VENV="${SIGIL_ROOT:?source tools/lib/setup.sh first}/.venv"
SIGIL_VENV_PYTHON="$SIGIL_VENV/bin/python"
export SIGIL_VENV SIGIL_VENV_PYTHON

# A minimum for the SDK only: the keyrings of the Material Providers library (raw RSA,
# AWS KMS RSA) that esdk.py uses came with aws-encryption-sdk 4. The rest: whatever pip
# resolves for it (tested with material providers 1.11, boto3 1.44, cryptography 50).
SIGIL_PYTHON_PACKAGES=(
    "aws-encryption-sdk>=4"
    "aws-cryptographic-material-providers"
    "boto3"
    "cryptography"
    # The AWS CLI v1, as .venv/bin/aws: the key holder's real-client tests drive it.
    "awscli"
    # The envelopes' reference implementations (tools/interop/envelopes.py): JWS/JWT,
    # COSE_Sign1, DSSE and the Sigstore bundle's model (protobuf-specs, not the whole client).
    "PyJWT"
    "jwcrypto"
    "pycose"
    "securesystemslib"
    "in-toto"
    "sigstore-protobuf-specs"
)

# True when the venv already imports everything the interop scripts use.
sigil_venv_ready() {
    [ -x "$SIGIL_VENV_PYTHON" ] && [ -x "$SIGIL_VENV/bin/aws" ] && "$SIGIL_VENV_PYTHON" - <<'PY' >/dev/null 2>&1
import aws_encryption_sdk, awscli, boto3, botocore.awsrequest, botocore.validate, cryptography
from aws_cryptographic_material_providers.mpl import AwsCryptographicMaterialProviders
from aws_cryptographic_material_providers.mpl.models import CreateRawRsaKeyringInput, CreateAwsKmsRsaKeyringInput
assert int(aws_encryption_sdk.__version__.split(".")[0]) >= 4
import jwt, jwcrypto.jwk, jwcrypto.jws, jwcrypto.jwt, pycose.messages
import securesystemslib.dsse, securesystemslib.signer, in_toto.runlib
from securesystemslib.signer import AWSSigner
from sigstore_protobuf_specs.dev.sigstore.bundle.v1 import Bundle
PY
}

# Debian splits venv (and ensurepip) out of python3 into python3-venv.
sigil_ensure_python_venv_module() {
    local python="$1"
    if "$python" -c 'import venv, ensurepip' >/dev/null 2>&1; then
        return 0
    fi
    if command -v apt-get >/dev/null 2>&1; then
        sigil_log "installing Debian package python3-venv"
        sigil_as_root apt-get update -qq
        sigil_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    fi
    if ! "$python" -c 'import venv, ensurepip' >/dev/null 2>&1; then
        echo "$python cannot create a virtual environment (no venv/ensurepip module); install python3-venv." >&2
        return 1
    fi
}

sigil_setup_venv() {
    if sigil_venv_ready; then
        return 0
    fi
    local python="${SIGIL_PYTHON:-python3}"
    if ! command -v "$python" >/dev/null 2>&1; then
        echo "$python is needed for the interop tests and was not found." >&2
        return 1
    fi
    # aws-cryptographic-material-providers needs Python 3.11 or later (Debian 12 has 3.11).
    if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
        echo "the Python Encryption SDK's material providers need Python >= 3.11; $python is $("$python" --version 2>&1). Set SIGIL_PYTHON to a newer one." >&2
        return 1
    fi
    sigil_ensure_python_venv_module "$python" || return 1
    if ! "$SIGIL_VENV_PYTHON" -c 'import sys' >/dev/null 2>&1; then
        # Missing, or made by an interpreter that is gone: start afresh.
        sigil_log "creating $SIGIL_VENV"
        "$python" -m venv --clear "$SIGIL_VENV" || return 1
    fi
    sigil_log "installing into .venv: ${SIGIL_PYTHON_PACKAGES[*]}"
    "$SIGIL_VENV_PYTHON" -m pip install --quiet --disable-pip-version-check --upgrade pip || return 1
    "$SIGIL_VENV_PYTHON" -m pip install --quiet --disable-pip-version-check "${SIGIL_PYTHON_PACKAGES[@]}" || return 1
    if ! sigil_venv_ready; then
        echo "the packages installed into $SIGIL_VENV but do not import; see: $SIGIL_VENV_PYTHON -c 'import aws_encryption_sdk'" >&2
        return 1
    fi
}
