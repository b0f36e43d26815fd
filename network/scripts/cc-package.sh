#!/usr/bin/env bash
# Packages a chaincode-as-a-service chaincode (type ccaas) from a generated
# connection.json and metadata.json in PKG_DIR. Environment: PKG_DIR PKG_FILE
set -eu
[ ! -f "$PKG_FILE" ] || exit 0
tar -C "$PKG_DIR" -czf "$PKG_DIR/code.tar.gz" connection.json
tar -C "$PKG_DIR" -czf "$PKG_FILE.tmp" metadata.json code.tar.gz
mv "$PKG_FILE.tmp" "$PKG_FILE"
