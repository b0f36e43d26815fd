#!/usr/bin/env bash
# Revokes every certificate of one identity at its organisation's CA, as the CA's
# bootstrap registrar (it holds hf.Revoker and hf.GenCRL), and writes the CA's
# current certificate revocation list. Idempotent: an identity revoked before is
# left as it is, and the CRL is generated again.
# Environment: FABRIC_CA_BIN CA_URL CA_NAME CA_TLS_CERT REGISTRAR_HOME ID_NAME CERTS_DIR CRL_FILE
#   CERTS_DIR receives the identity's certificates (PEM) as the CA lists them, before revocation.
set -eu
client="$FABRIC_CA_BIN/fabric-ca-client"
set -- --home "$REGISTRAR_HOME" -u "$CA_URL" --caname "$CA_NAME" --tls.certfiles "$CA_TLS_CERT"
mkdir -p "$CERTS_DIR"
"$client" certificate list "$@" --id "$ID_NAME" --store "$CERTS_DIR" >/dev/null
if ! out=$("$client" revoke "$@" -e "$ID_NAME" -r keycompromise 2>&1); then
  case $out in
    *"already revoked"*) ;;
    *)
      echo "$out" >&2
      exit 1
      ;;
  esac
fi
"$client" gencrl "$@" >/dev/null
cp "$REGISTRAR_HOME/msp/crls/crl.pem" "$CRL_FILE"
