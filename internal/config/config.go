// Package config reads wadesk's configuration from WADESK_* environment
// variables (a kebab-case flag of the same name may override each) and
// validates it once, at start, so a bad value stops the program with one
// clear line instead of failing later.
package config

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"wadesk/internal/secret"
)

// Config is the validated configuration of one wadesk process.
type Config struct {
	Addr            string
	BaseURL         *url.URL
	DataDir         string // absolute
	DatabaseURL     string // empty → SQLite in DataDir
	SecretKey       []byte // 32 bytes
	GraphAPIURL     string
	GraphAPIVersion string
	AdminEmail      string
	AdminPassword   string
	LogLevel        slog.Level
	// Attachments is "dir" (files under AttachmentsDir) or "database" (the
	// blobs table: several instances then share only the database).
	Attachments    string
	AttachmentsDir string // absolute
}

// UsesPostgres reports whether DatabaseURL selects PostgreSQL.
func (c *Config) UsesPostgres() bool { return c.DatabaseURL != "" }

// setting is one configuration variable: its environment name, its flag
// name and its default.
type setting struct {
	env, flag, def, help string
}

var settings = []setting{
	{"WADESK_ADDR", "addr", ":8080", "listen address"},
	{"WADESK_BASE_URL", "base-url", "http://localhost:8080", "public URL; webhook callback URLs are built from it"},
	{"WADESK_DATA_DIR", "data-dir", "./data", "SQLite file, attachments, generated secret key"},
	{"WADESK_DATABASE_URL", "database-url", "", "postgres://… selects PostgreSQL; empty → SQLite in the data dir"},
	{"WADESK_SECRET_KEY", "secret-key", "", "32-byte base64 key encrypting channel secrets; generated into the data dir when unset"},
	{"WADESK_GRAPH_API_URL", "graph-api-url", "https://graph.facebook.com", "Cloud API base URL"},
	{"WADESK_GRAPH_API_VERSION", "graph-api-version", "v26.0", "Graph API version used in every path"},
	{"WADESK_ADMIN_EMAIL", "admin-email", "", "create this admin on first start if no user exists"},
	{"WADESK_ADMIN_PASSWORD", "admin-password", "", "password of that admin"},
	{"WADESK_LOG_LEVEL", "log-level", "info", "debug, info, warn or error"},
	{"WADESK_ATTACHMENTS", "attachments", "dir", "where attachment bytes live: dir or database"},
	{"WADESK_ATTACHMENTS_DIR", "attachments-dir", "", "directory for attachments (default: blobs/ in the data dir); share it between instances"},
}

// Flags registers one flag per setting on fs and returns a function that
// resolves the raw values: a flag set on the command line wins over the
// environment, which wins over the default. getenv is os.Getenv in
// production and a map lookup in tests.
func Flags(fs *flag.FlagSet, getenv func(string) string) func() map[string]string {
	vals := make(map[string]*string, len(settings))
	for _, s := range settings {
		v := new(string)
		vals[s.env] = v
		fs.StringVar(v, s.flag, "", s.help+" (env "+s.env+")")
	}
	return func() map[string]string {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		raw := make(map[string]string, len(settings))
		for _, s := range settings {
			switch {
			case set[s.flag]:
				raw[s.env] = *vals[s.env]
			case getenv(s.env) != "":
				raw[s.env] = getenv(s.env)
			default:
				raw[s.env] = s.def
			}
		}
		return raw
	}
}

var versionPattern = regexp.MustCompile(`^v[0-9]{1,3}\.[0-9]{1,2}$`)

// Load validates raw values (as returned by the Flags resolver) into a
// Config. It creates the data dir if needed, checks it is writable, and
// reads or generates the secret key there. Errors are one line, naming the
// variable.
func Load(raw map[string]string) (*Config, error) {
	c := &Config{
		Addr:            strings.TrimSpace(raw["WADESK_ADDR"]),
		DatabaseURL:     strings.TrimSpace(raw["WADESK_DATABASE_URL"]),
		GraphAPIVersion: strings.TrimSpace(raw["WADESK_GRAPH_API_VERSION"]),
		AdminEmail:      strings.TrimSpace(raw["WADESK_ADMIN_EMAIL"]),
		AdminPassword:   raw["WADESK_ADMIN_PASSWORD"],
	}
	if c.Addr == "" {
		return nil, errors.New("WADESK_ADDR: must not be empty")
	}
	base, err := parseHTTPURL(raw["WADESK_BASE_URL"])
	if err != nil {
		return nil, fmt.Errorf("WADESK_BASE_URL: %w", err)
	}
	base.Path = strings.TrimRight(base.Path, "/")
	c.BaseURL = base

	graph, err := parseHTTPURL(raw["WADESK_GRAPH_API_URL"])
	if err != nil {
		return nil, fmt.Errorf("WADESK_GRAPH_API_URL: %w", err)
	}
	c.GraphAPIURL = strings.TrimRight(graph.String(), "/")

	if !versionPattern.MatchString(c.GraphAPIVersion) {
		return nil, fmt.Errorf("WADESK_GRAPH_API_VERSION: %q is not a Graph API version like v26.0", c.GraphAPIVersion)
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return nil, errors.New("WADESK_DATABASE_URL: must start with postgres:// (leave it empty for SQLite)")
	}
	if c.DatabaseURL != "" {
		if _, err := url.Parse(c.DatabaseURL); err != nil {
			return nil, errors.New("WADESK_DATABASE_URL: not a valid URL")
		}
	}
	if err := c.LogLevel.UnmarshalText([]byte(strings.TrimSpace(raw["WADESK_LOG_LEVEL"]))); err != nil ||
		!validLevel(raw["WADESK_LOG_LEVEL"]) {
		return nil, fmt.Errorf("WADESK_LOG_LEVEL: %q is not one of debug, info, warn, error", raw["WADESK_LOG_LEVEL"])
	}
	if (c.AdminEmail == "") != (c.AdminPassword == "") {
		return nil, errors.New("WADESK_ADMIN_EMAIL and WADESK_ADMIN_PASSWORD: set both or neither")
	}

	dir, err := prepareDataDir(raw["WADESK_DATA_DIR"])
	if err != nil {
		return nil, fmt.Errorf("WADESK_DATA_DIR: %w", err)
	}
	c.DataDir = dir

	if c.SecretKey, err = loadSecretKey(raw["WADESK_SECRET_KEY"], dir); err != nil {
		return nil, fmt.Errorf("WADESK_SECRET_KEY: %w", err)
	}

	switch c.Attachments = strings.TrimSpace(raw["WADESK_ATTACHMENTS"]); c.Attachments {
	case "dir", "":
		c.Attachments = "dir"
		attDir := strings.TrimSpace(raw["WADESK_ATTACHMENTS_DIR"])
		if attDir == "" {
			attDir = filepath.Join(dir, "blobs")
		}
		if c.AttachmentsDir, err = prepareDataDir(attDir); err != nil {
			return nil, fmt.Errorf("WADESK_ATTACHMENTS_DIR: %w", err)
		}
	case "database":
	default:
		return nil, fmt.Errorf("WADESK_ATTACHMENTS: %q is not dir or database", c.Attachments)
	}
	return c, nil
}

func validLevel(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "debug", "info", "warn", "error":
		return true
	}
	return false
}

func parseHTTPURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("%q is not a valid URL", s)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%q must be an http:// or https:// URL", s)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%q has no host", s)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q must not have a query or fragment", s)
	}
	return u, nil
}

// prepareDataDir makes the directory (0700) and proves it is writable by
// creating and removing a file, so a read-only mount fails now, not at the
// first attachment.
func prepareDataDir(dir string) (string, error) {
	dir = strings.TrimSpace(dir)
	if dir == "" {
		return "", errors.New("must not be empty")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return "", fmt.Errorf("cannot create %s: %v", abs, unwrapPathError(err))
	}
	probe, err := os.CreateTemp(abs, ".write-check-*")
	if err != nil {
		return "", fmt.Errorf("%s is not writable: %v", abs, unwrapPathError(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	return abs, nil
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// secretKeyFile is where a generated key is kept, readable by the owner only.
const secretKeyFile = "secret.key"

func loadSecretKey(value, dataDir string) ([]byte, error) {
	if value = strings.TrimSpace(value); value != "" {
		return secret.ParseKey(value)
	}
	path := filepath.Join(dataDir, secretKeyFile)
	b, err := os.ReadFile(path)
	if err == nil {
		key, err := secret.ParseKey(strings.TrimSpace(string(b)))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return key, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read %s: %v", path, unwrapPathError(err))
	}
	encoded := secret.NewKey()
	// Write a temporary file and hard-link it into place: the link fails if
	// another process got there first, and nobody ever reads a half-written key.
	tmp, err := os.CreateTemp(dataDir, ".secret-*")
	if err != nil {
		return nil, fmt.Errorf("create key in %s: %v", dataDir, unwrapPathError(err))
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, err
	}
	if _, err := tmp.WriteString(encoded + "\n"); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("write key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("sync key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, os.ErrExist) {
		return loadSecretKey("", dataDir)
	} else if err != nil {
		return nil, fmt.Errorf("create %s: %v", path, unwrapPathError(err))
	}
	return secret.ParseKey(encoded)
}
