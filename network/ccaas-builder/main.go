// Command ccaas-builder is a Fabric external builder for chaincode-as-a-service
// packages (metadata.json type "ccaas"). It is installed three times, as
// bin/detect, bin/build and bin/release, and dispatches on its own name.
//
// The peer's external builder interface:
//
//	detect  SOURCE_DIR METADATA_DIR       exit 0 if metadata.json has type "ccaas"
//	build   SOURCE_DIR METADATA_DIR OUT   validate connection.json, copy it and META-INF to OUT
//	release BUILD_DIR RELEASE_DIR         publish chaincode/server/connection.json and state DB indexes
//
// Fabric ships an equivalent builder as the nested module
// github.com/hyperledger/fabric/ccaas_builder; it is written here because that
// module cannot be fetched at a pinned commit through the module proxy.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

type metadata struct {
	Type  string `json:"type"`
	Label string `json:"label"`
}

type connection struct {
	Address            string `json:"address"`
	DialTimeout        string `json:"dial_timeout"`
	TLSRequired        bool   `json:"tls_required"`
	ClientAuthRequired bool   `json:"client_auth_required"`
	RootCert           string `json:"root_cert"`
	ClientKey          string `json:"client_key"`
	ClientCert         string `json:"client_cert"`
}

func main() {
	name := filepath.Base(os.Args[0])
	var err error
	switch name {
	case "detect":
		err = detect(os.Args[1:])
	case "build":
		err = build(os.Args[1:])
	case "release":
		err = release(os.Args[1:])
	default:
		err = fmt.Errorf("must be invoked as detect, build or release, not %q", name)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "ccaas-builder %s: %v\n", name, err)
		os.Exit(1)
	}
}

func detect(args []string) error {
	if len(args) != 2 {
		return errors.New("usage: detect SOURCE_DIR METADATA_DIR")
	}
	raw, err := os.ReadFile(filepath.Join(args[1], "metadata.json"))
	if err != nil {
		return err
	}
	var md metadata
	if err := json.Unmarshal(raw, &md); err != nil {
		return fmt.Errorf("metadata.json: %w", err)
	}
	if !strings.EqualFold(md.Type, "ccaas") {
		// Not ours: a plain non-zero exit lets the peer try the next builder.
		os.Exit(1)
	}
	return nil
}

func build(args []string) error {
	if len(args) != 3 {
		return errors.New("usage: build SOURCE_DIR METADATA_DIR OUTPUT_DIR")
	}
	src, out := args[0], args[2]
	raw, err := os.ReadFile(filepath.Join(src, "connection.json"))
	if err != nil {
		return fmt.Errorf("the package has no connection.json: %w", err)
	}
	if err := validateConnection(raw); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "connection.json"), raw, 0o600); err != nil {
		return err
	}
	metaInf := filepath.Join(src, "META-INF")
	if _, err := os.Stat(metaInf); err == nil {
		return copyTree(metaInf, filepath.Join(out, "META-INF"))
	}
	return nil
}

func release(args []string) error {
	if len(args) != 2 {
		return errors.New("usage: release BUILD_OUTPUT_DIR RELEASE_OUTPUT_DIR")
	}
	bld, rel := args[0], args[1]
	raw, err := os.ReadFile(filepath.Join(bld, "connection.json"))
	if err != nil {
		return err
	}
	serverDir := filepath.Join(rel, "chaincode", "server")
	if err := os.MkdirAll(serverDir, 0o750); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(serverDir, "connection.json"), raw, 0o600); err != nil {
		return err
	}
	indexes := filepath.Join(bld, "META-INF", "statedb")
	if _, err := os.Stat(indexes); err == nil {
		return copyTree(indexes, filepath.Join(rel, "statedb"))
	}
	return nil
}

func validateConnection(raw []byte) error {
	var c connection
	if err := json.Unmarshal(raw, &c); err != nil {
		return fmt.Errorf("connection.json: %w", err)
	}
	if c.Address == "" {
		return errors.New("connection.json: address is required")
	}
	if c.TLSRequired && c.RootCert == "" {
		return errors.New("connection.json: root_cert is required when tls_required is true")
	}
	if c.ClientAuthRequired && (c.ClientKey == "" || c.ClientCert == "") {
		return errors.New("connection.json: client_key and client_cert are required when client_auth_required is true")
	}
	return nil
}

func copyTree(from, to string) error {
	return filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		target := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o750)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o600)
	})
}
