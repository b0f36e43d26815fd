#!/usr/bin/env bash
# Registers (unless it is the registrar itself) and enrolls one identity with its
# organisation's Fabric CA, then normalises the file names:
#   OUT_DIR/msp/{signcerts/cert.pem,keystore/key.pem,cacerts/ca.pem,config.yaml}
#   OUT_DIR/tls/{cert.pem,key.pem,ca.pem}            (only when TLS_HOSTS is set)
# Environment: FABRIC_CA_BIN CA_URL CA_NAME CA_TLS_CERT REGISTRAR_HOME
#   ID_NAME ID_SECRET ID_TYPE (registrar|client|admin|peer|orderer) [ID_ATTRS] OUT_DIR [TLS_HOSTS]
set -eu
client="$FABRIC_CA_BIN/fabric-ca-client"
hostport=${CA_URL#https://}

if [ -f "$OUT_DIR/msp/signcerts/cert.pem" ] && { [ -z "${TLS_HOSTS:-}" ] || [ -f "$OUT_DIR/tls/cert.pem" ]; }; then
  exit 0
fi
mkdir -p "$OUT_DIR"

if [ "$ID_TYPE" != registrar ]; then
  set -- --id.name "$ID_NAME" --id.secret "$ID_SECRET" --id.type "$ID_TYPE"
  [ -z "${ID_ATTRS:-}" ] || set -- "$@" --id.attrs "$ID_ATTRS"
  if ! out=$("$client" register --home "$REGISTRAR_HOME" -u "$CA_URL" --caname "$CA_NAME" \
    --tls.certfiles "$CA_TLS_CERT" "$@" 2>&1); then
    echo "$out" >&2
    exit 1
  fi
fi

enroll() {
  "$client" enroll --home "$OUT_DIR" -u "https://${ID_NAME}:${ID_SECRET}@${hostport}" --caname "$CA_NAME" \
    --tls.certfiles "$CA_TLS_CERT" --csr.cn "$ID_NAME" "$@" >/dev/null 2>"$OUT_DIR/enroll.err" || {
    cat "$OUT_DIR/enroll.err" >&2
    exit 1
  }
  rm -f "$OUT_DIR/enroll.err"
}

# only_file DIR: the single file in DIR (fabric-ca-client names them after the CA or key).
only_file() {
  set -- "$1"/*
  if [ "$#" -ne 1 ] || [ ! -f "$1" ]; then
    echo "enroll.sh: expected exactly one file in $(dirname "$1")" >&2
    exit 1
  fi
  echo "$1"
}

enroll --mspdir "$OUT_DIR/msp"
msp="$OUT_DIR/msp"
mv "$(only_file "$msp/signcerts")" "$msp/signcerts/cert.pem.tmp" && mv "$msp/signcerts/cert.pem.tmp" "$msp/signcerts/cert.pem"
mv "$(only_file "$msp/keystore")" "$msp/keystore/key.pem.tmp" && mv "$msp/keystore/key.pem.tmp" "$msp/keystore/key.pem"
mv "$(only_file "$msp/cacerts")" "$msp/cacerts/ca.pem.tmp" && mv "$msp/cacerts/ca.pem.tmp" "$msp/cacerts/ca.pem"
rm -rf "$msp/IssuerPublicKey" "$msp/IssuerRevocationPublicKey" "$msp/user"
cat >"$msp/config.yaml" <<YAML
NodeOUs:
  Enable: true
  ClientOUIdentifier: { Certificate: cacerts/ca.pem, OrganizationalUnitIdentifier: client }
  PeerOUIdentifier: { Certificate: cacerts/ca.pem, OrganizationalUnitIdentifier: peer }
  AdminOUIdentifier: { Certificate: cacerts/ca.pem, OrganizationalUnitIdentifier: admin }
  OrdererOUIdentifier: { Certificate: cacerts/ca.pem, OrganizationalUnitIdentifier: orderer }
YAML

if [ -n "${TLS_HOSTS:-}" ]; then
  enroll --mspdir "$OUT_DIR/tls-msp" --enrollment.profile tls --csr.hosts "$TLS_HOSTS"
  mkdir -p "$OUT_DIR/tls"
  cp "$(only_file "$OUT_DIR/tls-msp/signcerts")" "$OUT_DIR/tls/cert.pem"
  cp "$(only_file "$OUT_DIR/tls-msp/keystore")" "$OUT_DIR/tls/key.pem"
  if [ -d "$OUT_DIR/tls-msp/tlscacerts" ]; then
    cp "$(only_file "$OUT_DIR/tls-msp/tlscacerts")" "$OUT_DIR/tls/ca.pem"
  else
    cp "$msp/cacerts/ca.pem" "$OUT_DIR/tls/ca.pem"
  fi
  rm -rf "$OUT_DIR/tls-msp"
  chmod 600 "$OUT_DIR/tls/key.pem"
fi
chmod 600 "$msp/keystore/key.pem"
