// Package pgserver runs a private, throwaway PostgreSQL server for tests
// that must stop, crash and restart the database, which they may never do
// to the shared server on 127.0.0.1:5432.
//
// Start initdbs a cluster into t.TempDir(), starts it on a free loopback
// port with fsync off and trust authentication, creates a database, and
// stops the server in t.Cleanup. The binaries come from
// /usr/lib/postgresql/*/bin (or PATH). PostgreSQL refuses to run as root:
// under root the server runs as the "postgres" user through runuser, with
// the data directory handed to that user. When none of this is possible
// Start skips the test with SKIP-NO-SERVER and the reason.
package pgserver

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Server is a private PostgreSQL cluster started by Start.
type Server struct {
	t      testing.TB
	bin    string // directory of initdb, pg_ctl, postgres
	dir    string // data directory
	port   int
	runAs  string // user the server runs as when the test runs as root; "" otherwise
	dbName string
}

// URL is the connection URL of the server's test database.
func (s *Server) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable&connect_timeout=2", s.port, s.dbName)
}

// Start initdbs and starts a private server with a database named "test",
// and registers its stop with t.Cleanup.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := findBin()
	if err != nil {
		t.Skipf("SKIP-NO-SERVER: private PostgreSQL: %v", err)
	}
	s := &Server{t: t, bin: bin, dbName: "test"}
	root := t.TempDir()
	s.dir = filepath.Join(root, "data")
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skipf("SKIP-NO-SERVER: private PostgreSQL: the test runs as root, which initdb refuses, and there is no \"postgres\" user to run it as: %v", err)
		}
		if _, err := exec.LookPath("runuser"); err != nil {
			t.Skipf("SKIP-NO-SERVER: private PostgreSQL: the test runs as root, which initdb refuses, and runuser is missing: %v", err)
		}
		s.runAs = u.Username
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		// t.TempDir's directories are 0700 root: let the server user
		// through to its data directory, which it owns.
		for d := root; d != filepath.Dir(d) && strings.HasPrefix(d, os.TempDir()) && d != os.TempDir(); d = filepath.Dir(d) {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatalf("pgserver: %v", err)
			}
		}
		if err := os.Mkdir(s.dir, 0o700); err != nil {
			t.Fatalf("pgserver: %v", err)
		}
		if err := os.Chown(s.dir, uid, gid); err != nil {
			t.Skipf("SKIP-NO-SERVER: private PostgreSQL: cannot give the data directory to %s: %v", u.Username, err)
		}
	}
	if out, err := s.run("initdb", "-D", s.dir, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"); err != nil {
		t.Skipf("SKIP-NO-SERVER: private PostgreSQL: initdb failed: %v\n%s", err, out)
	}
	s.port = freePort(t)
	// fsync off: the tests crash the server, never the machine. Commits
	// stay synchronous, so a crash keeps every committed transaction.
	conf := fmt.Sprintf("\nport = %d\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\nfsync = off\nfull_page_writes = off\nshared_buffers = 16MB\nmax_connections = 30\n", s.port)
	f, err := os.OpenFile(filepath.Join(s.dir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString(conf)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		t.Fatalf("pgserver: writing postgresql.conf: %v", err)
	}
	s.StartAgain()
	t.Cleanup(func() { _, _ = s.run("pg_ctl", "stop", "-D", s.dir, "-m", "immediate", "-w") })
	if out, err := s.psql("postgres", "CREATE DATABASE "+s.dbName); err != nil {
		t.Fatalf("pgserver: creating database: %v\n%s", err, out)
	}
	return s
}

// Stop stops the server with pg_ctl stop -m mode ("fast": sessions are
// ended and the server shuts down cleanly; "immediate": a crash, recovered
// from the WAL at the next start), and waits for it to exit.
func (s *Server) Stop(mode string) {
	s.t.Helper()
	if out, err := s.run("pg_ctl", "stop", "-D", s.dir, "-m", mode, "-w", "-t", "10"); err != nil {
		s.t.Fatalf("pgserver: pg_ctl stop -m %s: %v\n%s", mode, err, out)
	}
}

// StartAgain starts the (stopped) server on its port and waits until it
// accepts connections.
func (s *Server) StartAgain() {
	s.t.Helper()
	logFile := filepath.Join(s.dir, "server.log")
	if out, err := s.run("pg_ctl", "start", "-D", s.dir, "-l", logFile, "-w", "-t", "15"); err != nil {
		log, _ := os.ReadFile(logFile)
		s.t.Fatalf("pgserver: pg_ctl start: %v\n%s\n%s", err, out, log)
	}
}

func (s *Server) psql(db, sql string) ([]byte, error) {
	return s.run("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", strconv.Itoa(s.port), "-U", "postgres", "-d", db, "-c", sql)
}

// run runs a PostgreSQL binary, as the server user when the test is root.
func (s *Server) run(name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	path := filepath.Join(s.bin, name)
	var cmd *exec.Cmd
	if s.runAs != "" {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", s.runAs, "--", path}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	cmd.Dir = os.TempDir() // a directory the server user can enter
	return cmd.CombinedOutput()
}

// findBin returns the newest /usr/lib/postgresql/*/bin holding pg_ctl, or
// the directory of pg_ctl on PATH.
func findBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", fmt.Errorf("no pg_ctl in /usr/lib/postgresql/*/bin or on PATH; install the PostgreSQL server package")
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("pgserver: finding a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
